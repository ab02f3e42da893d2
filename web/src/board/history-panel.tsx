import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { copyBoard, listVersions, nameVersion, restoreVersion, versionPreviewUrl, type BoardVersion } from '../api/versions.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { errorMessage } from '../components/error-message.ts';
import { PreviewImage } from '../components/preview-image.tsx';
import { relativeTime } from '../components/relative-time.ts';
import { navigate } from '../router.ts';
import { useBoard } from './board-context.ts';

/** New versions are stored as people draw (debounced on the server): the open list catches up this often. */
const REFRESH_MS = 10_000;

/** The History button and its panel. */
export function HistoryMenu() {
  const [open, setOpen] = useState(false);
  return (
    <div className="scrible-menu">
      <button type="button" data-testid="history-button" className="scrible-button" aria-expanded={open} onClick={() => setOpen(!open)}>
        History
      </button>
      {open && <HistoryPanel />}
    </div>
  );
}

/** What the panel is doing besides listing: one action at a time. */
type Pending = { kind: 'idle' } | { kind: 'confirming-restore'; version: number } | { kind: 'busy'; what: string };

/**
 * The board's stored versions, newest first, each with its picture, time, author and
 * name. Writers name the board as it is now; the owner restores a version (for
 * everyone, as a new version); anyone makes a copy of any version, which then opens.
 */
function HistoryPanel() {
  const { roomId, session, role } = useBoard();
  const [versions, setVersions] = useState<BoardVersion[] | null>(null);
  const [pending, setPending] = useState<Pending>({ kind: 'idle' });
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  const reload = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const listed = await listVersions(session.token, roomId, signal);
        setVersions(listed);
        setNow(Date.now());
      } catch (caught) {
        if (!signal?.aborted) setError(errorMessage(caught));
      }
    },
    [session.token, roomId],
  );

  useEffect(() => {
    const controller = new AbortController();
    void reload(controller.signal);
    const timer = setInterval(() => void reload(controller.signal), REFRESH_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [reload]);

  /** Runs one action, showing why it failed instead of losing the panel's state. */
  const act = async (what: string, action: () => Promise<void>) => {
    setPending({ kind: 'busy', what });
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setPending({ kind: 'idle' });
    }
  };

  const saveName = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    void act('naming', async () => {
      await nameVersion(session.token, roomId, trimmed);
      setName('');
      await reload();
    });
  };

  const restore = (version: number) =>
    act('restoring', async () => {
      await restoreVersion(session.token, roomId, version);
      await reload();
    });

  const copy = (version?: number) =>
    act('copying', async () => {
      const created = await copyBoard(session.token, roomId, version === undefined ? {} : { version });
      navigate(`/r/${encodeURIComponent(created.id)}`);
    });

  const busy = pending.kind === 'busy';
  return (
    <div className="scrible-popover scrible-history" data-testid="history" aria-busy={versions === null || busy}>
      {role !== 'viewer' && (
        <form className="scrible-history-name" onSubmit={saveName}>
          <input
            data-testid="history-name-input"
            aria-label="Name of this version"
            placeholder="Name this version"
            value={name}
            maxLength={100}
            onChange={(event) => setName(event.target.value)}
          />
          <button type="submit" className="scrible-button" data-testid="history-name-save" disabled={busy || !name.trim()}>
            Save
          </button>
        </form>
      )}
      <button type="button" className="scrible-button" data-testid="history-copy-now" disabled={busy} onClick={() => void copy()}>
        Make a copy of the board
      </button>
      <ErrorAlert error={error} testId="history-error" />
      {versions !== null && versions.length === 0 && <p className="scrible-muted">No versions yet: they are stored as you draw.</p>}
      <ol className="scrible-history-list">
        {versions?.map((version) => (
          <VersionItem
            key={version.version}
            version={version}
            roomId={roomId}
            token={session.token}
            now={now}
            isOwner={role === 'owner'}
            confirming={pending.kind === 'confirming-restore' && pending.version === version.version}
            busy={busy}
            onRestore={() => setPending({ kind: 'confirming-restore', version: version.version })}
            onConfirmRestore={() => void restore(version.version)}
            onCancel={() => setPending({ kind: 'idle' })}
            onCopy={() => void copy(version.version)}
          />
        ))}
      </ol>
    </div>
  );
}

function VersionItem(props: {
  version: BoardVersion;
  roomId: string;
  token: string;
  now: number;
  isOwner: boolean;
  confirming: boolean;
  busy: boolean;
  onRestore: () => void;
  onConfirmRestore: () => void;
  onCancel: () => void;
  onCopy: () => void;
}) {
  const { version, isOwner, confirming, busy } = props;
  const title = version.name ?? `Version ${version.version}`;
  return (
    <li className="scrible-history-item" data-testid="history-version" data-version={version.version} data-named={version.name !== null}>
      <span className="scrible-thumbnail">
        <PreviewImage src={versionPreviewUrl(props.roomId, version.version, props.token)} name={title} testId="history-preview" />
      </span>
      <span className="scrible-history-details">
        <strong className={version.name ? 'scrible-history-named' : undefined} data-testid="history-version-name" title={title}>
          {title}
        </strong>
        <span className="scrible-board-meta">
          <time dateTime={version.createdAt} title={new Date(version.createdAt).toLocaleString()}>
            {relativeTime(version.createdAt, props.now)}
          </time>
          {version.createdBy && <span data-testid="history-author"> · {version.createdBy.name}</span>}
        </span>
        {confirming ? (
          <span className="scrible-confirm" role="alert">
            Restore “{title}” for everyone?
            <button
              type="button"
              className="scrible-button scrible-danger"
              data-testid="history-restore-confirm"
              onClick={props.onConfirmRestore}
            >
              Restore
            </button>
            <button type="button" className="scrible-button" data-testid="history-restore-cancel" onClick={props.onCancel}>
              Cancel
            </button>
          </span>
        ) : (
          <span className="scrible-history-actions">
            {isOwner && (
              <button type="button" className="scrible-button" data-testid="history-restore" disabled={busy} onClick={props.onRestore}>
                Restore
              </button>
            )}
            <button type="button" className="scrible-button" data-testid="history-copy" disabled={busy} onClick={props.onCopy}>
              Make a copy
            </button>
          </span>
        )}
      </span>
    </li>
  );
}
