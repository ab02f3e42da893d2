import { useState } from 'react';
import { EXPORT_EXTENSIONS, exportRoom, saveBlob, type ExportFormat } from '../api/exports.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { errorMessage } from '../components/error-message.ts';
import { useBoard } from './board-context.ts';

const FORMATS: Array<{ format: ExportFormat; label: string }> = [
  { format: 'png', label: 'PNG image' },
  { format: 'svg', label: 'SVG image' },
  { format: 'pdf', label: 'PDF document' },
  { format: 'json', label: 'tldraw file (.tldr)' },
];

/**
 * Exports are rendered by the server (API.md, `/api/exports`), so they show what everyone
 * sees, not this client's unsynced state, and work for viewers too.
 */
export function ExportMenu() {
  const { roomId, roomName, session } = useBoard();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (format: ExportFormat) => {
    setBusy(format);
    setError(null);
    try {
      const blob = await exportRoom(session.token, roomId, format);
      saveBlob(blob, `${fileBaseName(roomName)}.${EXPORT_EXTENSIONS[format]}`);
      setOpen(false);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="scrible-menu">
      <button type="button" data-testid="export" className="scrible-button" onClick={() => setOpen(!open)}>
        Export
      </button>
      {open && (
        <div className="scrible-popover" data-testid="export-panel">
          {FORMATS.map(({ format, label }) => (
            <button
              type="button"
              key={format}
              data-testid={`export-${format}`}
              className="scrible-button"
              disabled={busy !== null}
              onClick={() => run(format)}
            >
              {busy === format ? 'Exporting…' : label}
            </button>
          ))}
          <ErrorAlert error={error} testId="export-error" />
        </div>
      )}
    </div>
  );
}

/** A file name from the board name, without characters file systems reject. */
function fileBaseName(name: string): string {
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '-').trim() || 'board';
}
