// JQL is a query language: a value spliced into it unquoted or unescaped could widen the search to other issues
// (and so make StackLens comment on a ticket that is not its own). Every value goes through jqlString.

import { ValidationError } from '../errors.js';

// Controls have no business in a project key or label; refusing them keeps the escaping below complete.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** A JQL string literal: double-quoted, with `\` and `"` escaped. */
export function jqlString(value: string): string {
  if (CONTROL.test(value)) throw new ValidationError('A JQL value cannot contain control characters');
  return `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

/** Jira's rule for labels: no whitespace, at most 255 characters. */
export function isValidJiraLabel(label: string): boolean {
  return label.length > 0 && label.length <= 255 && !/\s/.test(label) && !CONTROL.test(label);
}

/** A search bounded by project (Jira refuses unbounded queries on /search/jql) for one exact label. */
export function labelSearchJql(projectKey: string, label: string): string {
  if (projectKey.trim().length === 0) throw new ValidationError('A project key is required to search Jira');
  if (!isValidJiraLabel(label)) throw new ValidationError(`${JSON.stringify(label.slice(0, 80))} is not a valid Jira label`);
  return `project = ${jqlString(projectKey)} AND labels = ${jqlString(label)}`;
}
