import type { Severity } from '../catalog.js';

/** Non-secret Jira settings (stored in DynamoDB). The API token lives in Secrets Manager, never here. */
export interface JiraSettings {
  /** https://<site>.atlassian.net, or an allow-listed host (STACKLENS_JIRA_ALLOW_HOSTS) */
  readonly baseUrl: string;
  readonly email: string;
  readonly projectKey: string;
  /** issue type name as the project knows it, e.g. "Bug" */
  readonly issueType: string;
  /** severity → Jira priority name, e.g. { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low' } */
  readonly priorityMap: Readonly<Record<Severity, string>>;
  readonly enabled: boolean;
  /** at most one recurrence comment per this many minutes per ticket */
  readonly commentWindowMinutes: number;
}
