import type { InputHTMLAttributes, ReactNode } from 'react';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'id'> & {
  readonly id: string;
  readonly label: ReactNode;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error?: string | undefined;
  readonly hint?: ReactNode;
};

/** A labelled input whose error (from the API's `details.fields`) sits next to it and is announced with it. */
export function TextField({ id, label, value, onChange, error, hint, ...rest }: InputProps) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest} />
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Toggle({
  id,
  label,
  checked,
  onChange,
  disabled,
  hint,
}: {
  readonly id: string;
  readonly label: ReactNode;
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
  readonly disabled?: boolean;
  readonly hint?: ReactNode;
}) {
  return (
    <div className="field field-toggle">
      <input id={id} type="checkbox" role="switch" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} aria-describedby={hint ? `${id}-hint` : undefined} />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function ReadOnlyNotice() {
  return (
    <p className="notice" role="note">
      You are signed in as a viewer: you can see these settings but not change them.
    </p>
  );
}

/** Field errors by field name, from an ApiError's `fields`. */
export function fieldErrorMap(fields: ReadonlyArray<{ readonly field: string; readonly message: string }>): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { field, message } of fields) map[field] = map[field] ? `${map[field]} ${message}` : message;
  return map;
}
