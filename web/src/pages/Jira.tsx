import { useEffect, useState, type FormEvent } from 'react';
import { ReadOnlyNotice, TextField, Toggle, fieldErrorMap } from '../components/Form.js';
import { ErrorState, Loading } from '../components/States.js';
import { ApiError, api, errorMessage } from '../lib/api.js';
import { formatDateTime } from '../lib/format.js';
import { useIsAdmin, useMounted, usePageTitle, useResource } from '../lib/hooks.js';
import { SEVERITIES, type JiraNotConfigured, type JiraSettingsView, type JiraTestResult, type PriorityMap, type Severity } from '../lib/types.js';

interface FormState {
  baseUrl: string;
  email: string;
  apiToken: string;
  projectKey: string;
  issueType: string;
  priorityMap: PriorityMap;
  enabled: boolean;
  commentWindowMinutes: string;
}

const BLANK: FormState = {
  baseUrl: '',
  email: '',
  apiToken: '',
  projectKey: '',
  issueType: 'Bug',
  priorityMap: { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low' },
  enabled: true,
  commentWindowMinutes: '60',
};

function isConfigured(view: JiraSettingsView | JiraNotConfigured): view is JiraSettingsView {
  return !('configured' in view && view.configured === false);
}

function formFrom(view: JiraSettingsView | JiraNotConfigured): FormState {
  if (!isConfigured(view)) return BLANK;
  return {
    baseUrl: view.baseUrl,
    email: view.email,
    apiToken: '',
    projectKey: view.projectKey,
    issueType: view.issueType,
    priorityMap: { ...BLANK.priorityMap, ...view.priorityMap },
    enabled: view.enabled,
    commentWindowMinutes: String(view.commentWindowMinutes),
  };
}

/** The body both Test and Save send: the token only when one was typed (omitted, the saved one is used). */
function bodyFrom(form: FormState): Record<string, unknown> {
  const minutes = Number(form.commentWindowMinutes);
  return {
    baseUrl: form.baseUrl.trim(),
    email: form.email.trim(),
    ...(form.apiToken ? { apiToken: form.apiToken } : {}),
    projectKey: form.projectKey.trim(),
    issueType: form.issueType.trim(),
    priorityMap: form.priorityMap,
    enabled: form.enabled,
    ...(form.commentWindowMinutes.trim() === '' ? {} : { commentWindowMinutes: Number.isFinite(minutes) ? minutes : form.commentWindowMinutes }),
  };
}

export default function JiraPage() {
  usePageTitle('Jira integration');
  const admin = useIsAdmin();
  const mounted = useMounted();
  const settings = useResource<JiraSettingsView | JiraNotConfigured>('/integrations/jira');
  const [form, setForm] = useState<FormState>(BLANK);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'test' | 'save' | undefined>();
  const [test, setTest] = useState<JiraTestResult | undefined>();
  const [outcome, setOutcome] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();

  useEffect(() => {
    if (settings.data) setForm(formFrom(settings.data));
  }, [settings.data]);

  if (settings.error && !settings.data) {
    return (
      <section className="page">
        <h1>Jira integration</h1>
        <ErrorState title="The Jira settings could not be loaded" error={settings.error} onRetry={settings.reload} />
      </section>
    );
  }
  if (!settings.data) return <Loading label="Loading the Jira settings…" />;
  const view = settings.data;
  const configured = isConfigured(view);
  const readOnly = !admin;

  const update = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const updatePriority = (severity: Severity, value: string) => setForm((f) => ({ ...f, priorityMap: { ...f.priorityMap, [severity]: value } }));

  const runTest = async () => {
    setBusy('test');
    setErrors({});
    setOutcome(undefined);
    setTest(undefined);
    try {
      const result = await api.post<JiraTestResult>('/integrations/jira/test', bodyFrom(form));
      if (!mounted.current) return;
      setTest(result);
      if (!result.ok) setErrors({ [result.field]: result.message });
    } catch (error) {
      if (!mounted.current) return;
      if (error instanceof ApiError && error.fields.length > 0) setErrors(fieldErrorMap(error.fields));
      setOutcome({ kind: 'error', text: errorMessage(error) });
    } finally {
      if (mounted.current) setBusy(undefined);
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy('save');
    setErrors({});
    setOutcome(undefined);
    try {
      const saved = await api.put<JiraSettingsView>('/integrations/jira', bodyFrom(form));
      if (!mounted.current) return;
      settings.set(saved);
      setOutcome({ kind: 'ok', text: `Saved. Tickets ${saved.enabled ? 'will be created' : 'are disabled'} in ${saved.projectKey}.` });
    } catch (error) {
      if (!mounted.current) return;
      if (error instanceof ApiError && error.fields.length > 0) setErrors(fieldErrorMap(error.fields));
      setOutcome({ kind: 'error', text: `Not saved: ${errorMessage(error)}` });
    } finally {
      if (mounted.current) setBusy(undefined);
    }
  };

  const issueTypes = test?.ok ? test.issueTypes : [];
  const priorities = test?.ok ? test.priorities : [];

  return (
    <section className="page page-narrow" aria-labelledby="jira-title">
      <div className="page-head">
        <h1 id="jira-title">Integrations · Jira</h1>
        <p className="muted">
          {configured ? (
            <>
              Last saved {formatDateTime(view.updatedAt)} by {view.updatedBy}.
            </>
          ) : (
            'Not configured yet: incidents get no Jira tickets until you connect a project.'
          )}
        </p>
      </div>
      {readOnly ? <ReadOnlyNotice /> : null}
      <form className="panel form" onSubmit={save} aria-describedby={errors.body ? 'jira-body-error' : undefined}>
        <fieldset disabled={busy !== undefined} className="plain">
          <legend className="visually-hidden">Jira connection</legend>
          <TextField id="jira-baseUrl" label="Jira site URL" type="url" value={form.baseUrl} onChange={(v) => update('baseUrl', v)} error={errors.baseUrl} readOnly={readOnly} placeholder="https://your-site.atlassian.net" required autoComplete="url" />
          <TextField id="jira-email" label="Account e-mail" type="email" value={form.email} onChange={(v) => update('email', v)} error={errors.email} readOnly={readOnly} required autoComplete="off" />
          <TextField
            id="jira-apiToken"
            label={
              <>
                API token <span className={view.apiTokenSet ? 'badge token-set' : 'badge token-unset'}>{view.apiTokenSet ? 'set' : 'not set'}</span>
              </>
            }
            type="password"
            value={form.apiToken}
            onChange={(v) => update('apiToken', v)}
            error={errors.apiToken}
            readOnly={readOnly}
            autoComplete="new-password"
            hint={readOnly ? undefined : view.apiTokenSet ? 'Leave empty to keep the saved token. It is never shown again.' : 'Create one at id.atlassian.com → Security → API tokens.'}
          />
          <div className="field-row">
            <TextField id="jira-projectKey" label="Project key" value={form.projectKey} onChange={(v) => update('projectKey', v.toUpperCase())} error={errors.projectKey} readOnly={readOnly} required spellCheck={false} placeholder="OPS" />
            <TextField id="jira-issueType" label="Issue type" value={form.issueType} onChange={(v) => update('issueType', v)} error={errors.issueType} readOnly={readOnly} required list={issueTypes.length ? 'jira-issue-types' : undefined} />
            {issueTypes.length ? (
              <datalist id="jira-issue-types">
                {issueTypes.map((t) => (
                  <option key={t} value={t} />
                ))}
              </datalist>
            ) : null}
          </div>
          <fieldset className="priorities" aria-describedby={errors.priorityMap ? 'jira-priorityMap-error' : undefined}>
            <legend>Jira priority for each severity</legend>
            <div className="field-row">
              {SEVERITIES.map((s) => (
                <TextField
                  key={s}
                  id={`jira-priority-${s}`}
                  label={s[0]!.toUpperCase() + s.slice(1)}
                  value={form.priorityMap[s]}
                  onChange={(v) => updatePriority(s, v)}
                  error={errors[`priorityMap.${s}`]}
                  readOnly={readOnly}
                  required
                  list={priorities.length ? 'jira-priorities' : undefined}
                />
              ))}
            </div>
            {priorities.length ? (
              <datalist id="jira-priorities">
                {priorities.map((p) => (
                  <option key={p} value={p} />
                ))}
              </datalist>
            ) : null}
            {errors.priorityMap ? (
              <p id="jira-priorityMap-error" className="field-error">
                {errors.priorityMap}
              </p>
            ) : null}
          </fieldset>
          <TextField
            id="jira-commentWindowMinutes"
            label="Recurrence comments at most every (minutes)"
            type="number"
            min={1}
            max={1440}
            value={form.commentWindowMinutes}
            onChange={(v) => update('commentWindowMinutes', v)}
            error={errors.commentWindowMinutes}
            readOnly={readOnly}
          />
          <Toggle id="jira-enabled" label="Create tickets in Jira" checked={form.enabled} onChange={(v) => update('enabled', v)} disabled={readOnly} hint="Off keeps the settings but opens no tickets and adds no comments." />
          {errors.enabled ? <p className="field-error">{errors.enabled}</p> : null}
          {errors.body ? (
            <p id="jira-body-error" className="field-error">
              {errors.body}
            </p>
          ) : null}
        </fieldset>

        {test ? (
          test.ok ? (
            <div className="notice notice-ok" role="status" data-testid="jira-test-result">
              <strong>Connection works.</strong> Signed in to Jira as {test.displayName}; project {test.project.key} ({test.project.name}) accepts {test.issueTypes.join(', ') || 'no issue types'}.
            </div>
          ) : (
            <div className="notice notice-error" role="alert" data-testid="jira-test-result">
              <strong>Connection failed</strong> ({test.reason}): {test.message}
            </div>
          )
        ) : null}
        {outcome ? (
          <p className={outcome.kind === 'ok' ? 'notice notice-ok' : 'notice notice-error'} role={outcome.kind === 'ok' ? 'status' : 'alert'}>
            {outcome.text}
          </p>
        ) : null}
        {admin ? (
          <div className="actions">
            <button type="button" className="btn" onClick={() => void runTest()} disabled={busy !== undefined}>
              {busy === 'test' ? 'Testing…' : 'Test connection'}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy !== undefined}>
              {busy === 'save' ? 'Saving…' : 'Save'}
            </button>
          </div>
        ) : null}
      </form>
    </section>
  );
}
