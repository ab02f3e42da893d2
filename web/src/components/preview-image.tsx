import { useState } from 'react';

/**
 * A board's picture from the server (its thumbnail, or a stored version's preview).
 * Until the server has one, or when it cannot be read, a tile with the name's first
 * letter stands in its place: never a broken image.
 */
export function PreviewImage(props: { src: string; name: string; testId: string }) {
  const [failed, setFailed] = useState(false);
  if (failed) return <span className="scrible-thumbnail-empty">{Array.from(props.name)[0]?.toUpperCase()}</span>;
  return <img src={props.src} alt="" loading="lazy" data-testid={props.testId} onError={() => setFailed(true)} />;
}
