/** Why the last action failed, announced to screen readers; nothing when it did not. */
export function ErrorAlert(props: { error: string | null; testId?: string }) {
  if (!props.error) return null;
  return (
    <p className="scrible-error" role="alert" data-testid={props.testId}>
      {props.error}
    </p>
  );
}
