import type { InputHTMLAttributes } from 'react';

/** A labelled text input whose value lives in the parent's state. */
export function TextField(
  props: { label: string; testId: string; value: string; onValue: (value: string) => void } & Omit<
    InputHTMLAttributes<HTMLInputElement>,
    'value' | 'onChange'
  >,
) {
  const { label, testId, value, onValue, ...input } = props;
  return (
    <label>
      {label}
      <input data-testid={testId} value={value} onChange={(event) => onValue(event.target.value)} {...input} />
    </label>
  );
}
