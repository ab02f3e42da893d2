import type { HocuspocusProvider } from '@hocuspocus/provider';
import type { Editor } from 'tldraw';

declare global {
  interface Window {
    /** The board's tldraw editor, for tests and embedding pages. */
    editor?: Editor;
    /** The board's Hocuspocus provider, for tests and embedding pages. */
    provider?: HocuspocusProvider;
  }

  interface ImportMetaEnv {
    /** tldraw licence key baked in at build time; required for production deployments. */
    readonly VITE_TLDRAW_LICENSE_KEY?: string;
  }
}
