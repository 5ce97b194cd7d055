import { describe, expect, it } from '@jest/globals';
import { labelSearchJql } from '../../../../functions/src/domain/jira/jql.js';
import { JqlError, parseJql } from '../../helpers/jira-double/jql.js';

describe('the double’s JQL parser', () => {
  it('reads back exactly the label the client escaped, however hostile', () => {
    for (const label of ['stacklens-3f9a1c0de4b27a51', 'a"b', 'back\\slash', '"\\"\\', "it's", 'ünïcødé-🧾', 'x"OR(project="OTHER")']) {
      const query = parseJql(labelSearchJql('PROJ', label));
      expect(query.clauses).toEqual([
        { field: 'project', op: '=', values: ['PROJ'] },
        { field: 'labels', op: '=', values: [label] },
      ]);
    }
    const injected = 'PROJ" OR project = "OTHER';
    expect(parseJql(labelSearchJql(injected, 'a')).clauses[0]).toEqual({ field: 'project', op: '=', values: [injected] });
  });

  it('parses IN lists, negations, unquoted values and ORDER BY', () => {
    expect(parseJql('project in (PROJ, "OPS") AND labels not in (a) AND status != Done ORDER BY created DESC, key')).toEqual({
      clauses: [
        { field: 'project', op: 'in', values: ['PROJ', 'OPS'] },
        { field: 'labels', op: 'not in', values: ['a'] },
        { field: 'status', op: '!=', values: ['Done'] },
      ],
      orderBy: [
        { field: 'created', direction: 'desc' },
        { field: 'key', direction: 'asc' },
      ],
    });
    expect(parseJql("issuekey = 'PROJ-1'").clauses).toEqual([{ field: 'key', op: '=', values: ['PROJ-1'] }]);
  });

  it.each([
    ['project = "PROJ', 'has not been completed'],
    ['labels = "a\\qb"', 'illegal JQL escape'],
    ['project = PROJ OR labels = a', "Expecting either 'AND' or 'ORDER BY'"],
    ['summary ~ "x"', "Field 'summary' does not exist"],
    ['labels ~ "x"', 'Expecting operator'],
    ['project =', 'Expecting a value'],
    ['labels in (a, b', "Expecting ',' or ')'"],
    ['project = a; drop', 'reserved JQL character'],
  ])('refuses %j', (jql, message) => {
    expect(() => parseJql(jql)).toThrow(JqlError);
    expect(() => parseJql(jql)).toThrow(message);
  });
});
