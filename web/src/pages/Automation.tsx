import { useEffect, useState, type FormEvent } from 'react';
import { ReadOnlyNotice, TextField, Toggle, fieldErrorMap } from '../components/Form.js';
import { ErrorState, Loading } from '../components/States.js';
import { ApiError, api, errorMessage } from '../lib/api.js';
import { useIsAdmin, useMounted, usePageTitle, useResource } from '../lib/hooks.js';
import { SEVERITIES, type AutomationSettings, type Severity } from '../lib/types.js';

interface FormState {
  autoTicket: boolean;
  minSeverity: Severity;
  maxTicketsPerHour: string;
  ticketRetryBudgetSeconds: string;
}

const toNumber = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

export default function AutomationPage() {
  usePageTitle('Automation');
  const admin = useIsAdmin();
  const mounted = useMounted();
  const settings = useResource<AutomationSettings>('/settings/automation');
  const [form, setForm] = useState<FormState | undefined>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();

  useEffect(() => {
    const s = settings.data;
    if (s) setForm({ autoTicket: s.autoTicket, minSeverity: s.minSeverity, maxTicketsPerHour: String(s.maxTicketsPerHour), ticketRetryBudgetSeconds: String(s.ticketRetryBudgetSeconds) });
  }, [settings.data]);

  if (settings.error && !settings.data) {
    return (
      <section className="page">
        <h1>Automation</h1>
        <ErrorState title="The automation settings could not be loaded" error={settings.error} onRetry={settings.reload} />
      </section>
    );
  }
  if (!form) return <Loading label="Loading the automation settings…" />;
  const readOnly = !admin;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setOutcome(undefined);
    try {
      const saved = await api.put<AutomationSettings>('/settings/automation', {
        autoTicket: form.autoTicket,
        minSeverity: form.minSeverity,
        maxTicketsPerHour: toNumber(form.maxTicketsPerHour),
        ticketRetryBudgetSeconds: toNumber(form.ticketRetryBudgetSeconds),
      });
      if (!mounted.current) return;
      settings.set(saved);
      setOutcome({ kind: 'ok', text: 'Saved.' });
    } catch (error) {
      if (!mounted.current) return;
      if (error instanceof ApiError) setErrors(fieldErrorMap(error.fields));
      setOutcome({ kind: 'error', text: `Not saved: ${errorMessage(error)}` });
    } finally {
      if (mounted.current) setBusy(false);
    }
  };

  return (
    <section className="page page-narrow" aria-labelledby="automation-title">
      <div className="page-head">
        <h1 id="automation-title">Settings · Automation</h1>
        <p className="muted">When StackLens opens Jira tickets without anyone asking.</p>
      </div>
      {readOnly ? <ReadOnlyNotice /> : null}
      <form className="panel form" onSubmit={save}>
        <fieldset disabled={busy} className="plain">
          <legend className="visually-hidden">Automatic tickets</legend>
          <Toggle id="auto-autoTicket" label="Open a ticket for new incidents automatically" checked={form.autoTicket} onChange={(v) => setForm({ ...form, autoTicket: v })} disabled={readOnly} />
          {errors.autoTicket ? <p className="field-error">{errors.autoTicket}</p> : null}
          <div className={errors.minSeverity ? 'field field-invalid' : 'field'}>
            <label htmlFor="auto-minSeverity">Minimum severity</label>
            <select
              id="auto-minSeverity"
              value={form.minSeverity}
              disabled={readOnly}
              onChange={(e) => setForm({ ...form, minSeverity: e.target.value as Severity })}
              aria-describedby={errors.minSeverity ? 'auto-minSeverity-error' : 'auto-minSeverity-hint'}
            >
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s[0]!.toUpperCase() + s.slice(1)} and above
                </option>
              ))}
            </select>
            <p id="auto-minSeverity-hint" className="field-hint">
              Incidents below it never get an automatic ticket (an admin can still open one by hand).
            </p>
            {errors.minSeverity ? (
              <p id="auto-minSeverity-error" className="field-error">
                {errors.minSeverity}
              </p>
            ) : null}
          </div>
          <TextField
            id="auto-maxTicketsPerHour"
            label="Tickets per hour, at most"
            type="number"
            min={0}
            max={1000}
            value={form.maxTicketsPerHour}
            onChange={(v) => setForm({ ...form, maxTicketsPerHour: v })}
            error={errors.maxTicketsPerHour}
            readOnly={readOnly}
            hint="A flood guard across the whole fleet, per clock hour."
          />
          <TextField
            id="auto-ticketRetryBudgetSeconds"
            label="Keep retrying a ticket through Jira outages for (seconds)"
            type="number"
            min={1}
            max={3600}
            value={form.ticketRetryBudgetSeconds}
            onChange={(v) => setForm({ ...form, ticketRetryBudgetSeconds: v })}
            error={errors.ticketRetryBudgetSeconds}
            readOnly={readOnly}
          />
          {errors.body ? <p className="field-error">{errors.body}</p> : null}
        </fieldset>
        {outcome ? (
          <p className={outcome.kind === 'ok' ? 'notice notice-ok' : 'notice notice-error'} role={outcome.kind === 'ok' ? 'status' : 'alert'}>
            {outcome.text}
          </p>
        ) : null}
        {admin ? (
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save'}
            </button>
          </div>
        ) : null}
      </form>
    </section>
  );
}
