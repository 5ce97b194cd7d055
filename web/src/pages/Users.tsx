import { useState, type FormEvent } from 'react';
import { TextField, fieldErrorMap } from '../components/Form.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { ApiError, api, errorMessage } from '../lib/api.js';
import { formatDateTime } from '../lib/format.js';
import { useIsAdmin, useMounted, usePageTitle, useResource } from '../lib/hooks.js';
import type { Role, UserView } from '../lib/types.js';

export default function UsersPage() {
  usePageTitle('Users');
  const admin = useIsAdmin();
  const mounted = useMounted();
  const users = useResource<{ items: UserView[] }>('/users');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setOutcome(undefined);
    try {
      const created = await api.post<UserView>('/users', { email: email.trim(), password, role });
      if (!mounted.current) return;
      setOutcome({ kind: 'ok', text: `${created.email} can now sign in as ${created.role === 'admin' ? 'an admin' : 'a viewer'}.` });
      setEmail('');
      setPassword('');
      users.reload();
    } catch (error) {
      if (!mounted.current) return;
      if (error instanceof ApiError) setErrors(fieldErrorMap(error.fields));
      setOutcome({ kind: 'error', text: `Not created: ${errorMessage(error)}` });
    } finally {
      if (mounted.current) setBusy(false);
    }
  };

  return (
    <section className="page page-narrow" aria-labelledby="users-title">
      <div className="page-head">
        <h1 id="users-title">Users</h1>
        <p className="muted">Admins can change everything; viewers can look at everything and change nothing.</p>
      </div>
      {users.error && !users.data ? (
        <ErrorState title="The users could not be loaded" error={users.error} onRetry={users.reload} />
      ) : !users.data ? (
        <Loading label="Loading users…" />
      ) : users.data.items.length === 0 ? (
        <Empty title="No users yet" />
      ) : (
        <div className="panel">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Accounts that can sign in</caption>
              <thead>
                <tr>
                  <th scope="col">E-mail</th>
                  <th scope="col">Role</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((u) => (
                  <tr key={u.email}>
                    <td className="break">{u.email}</td>
                    <td>
                      <span className={`badge role-${u.role === 'admin' ? 'admin' : 'viewer'}`}>{u.role === 'admin' ? 'Admin' : 'Viewer'}</span>
                    </td>
                    <td>{formatDateTime(u.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {admin ? (
        <form className="panel form" onSubmit={create} aria-labelledby="new-user-title">
          <h2 id="new-user-title">Add a user</h2>
          <fieldset disabled={busy} className="plain">
            <legend className="visually-hidden">New account</legend>
            <TextField id="user-email" label="E-mail" type="email" value={email} onChange={setEmail} error={errors.email} required autoComplete="off" />
            <TextField id="user-password" label="Initial password" type="password" value={password} onChange={setPassword} error={errors.password} required autoComplete="new-password" />
            <div className="field">
              <label htmlFor="user-role">Role</label>
              <select id="user-role" value={role} onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'viewer')}>
                <option value="viewer">Viewer (read-only)</option>
                <option value="admin">Admin</option>
              </select>
              {errors.role ? <p className="field-error">{errors.role}</p> : null}
            </div>
          </fieldset>
          {outcome ? (
            <p className={outcome.kind === 'ok' ? 'notice notice-ok' : 'notice notice-error'} role={outcome.kind === 'ok' ? 'status' : 'alert'}>
              {outcome.text}
            </p>
          ) : null}
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create user'}
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
