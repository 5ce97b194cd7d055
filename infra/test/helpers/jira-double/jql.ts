// The slice of JQL the double understands: clauses on project, labels, key and status joined by AND, with =, !=
// and IN, and an optional ORDER BY. Anything else is refused the way Jira refuses a query it cannot parse, so a
// client that builds richer (or broken) JQL finds out in tests rather than in production.

export type JqlField = 'project' | 'labels' | 'key' | 'status';

export interface JqlClause {
  readonly field: JqlField;
  readonly op: '=' | '!=' | 'in' | 'not in';
  readonly values: readonly string[];
}

export interface JqlQuery {
  readonly clauses: readonly JqlClause[];
  readonly orderBy: ReadonlyArray<{ readonly field: string; readonly direction: 'asc' | 'desc' }>;
}

export class JqlError extends Error {}

type Token = { kind: 'word'; value: string } | { kind: 'string'; value: string } | { kind: 'op'; value: string } | { kind: 'punct'; value: '(' | ')' | ',' };

const FIELDS: Record<string, JqlField> = { project: 'project', labels: 'labels', key: 'key', issuekey: 'key', status: 'status' };

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const ch = jql[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= jql.length) throw new JqlError(`Error in the JQL Query: The quoted string starting with ${ch} has not been completed.`);
        const c = jql[i]!;
        if (c === '\\') {
          const next = jql[i + 1];
          if (next === undefined) throw new JqlError('Error in the JQL Query: An escape sequence is not complete.');
          if (next === 'n') value += '\n';
          else if (next === 't') value += '\t';
          else if (next === '"' || next === "'" || next === '\\' || next === ' ') value += next;
          else throw new JqlError(`Error in the JQL Query: '\\${next}' is an illegal JQL escape sequence.`);
          i += 2;
        } else if (c === ch) {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      tokens.push({ kind: 'string', value });
    } else if ((ch === '!' && (jql[i + 1] === '=' || jql[i + 1] === '~')) || ((ch === '<' || ch === '>') && jql[i + 1] === '=')) {
      tokens.push({ kind: 'op', value: jql.slice(i, i + 2) });
      i += 2;
    } else if (ch === '~' || ch === '<' || ch === '>') {
      tokens.push({ kind: 'op', value: ch });
      i++;
    } else if (ch === '=') {
      tokens.push({ kind: 'op', value: '=' });
      i++;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: 'punct', value: ch });
      i++;
    } else {
      const match = /^[A-Za-z0-9_.\-]+/.exec(jql.slice(i));
      if (!match)
        throw new JqlError(
          `Error in the JQL Query: The character '${ch}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}' instead. (line 1, character ${i + 1})`,
        );
      tokens.push({ kind: 'word', value: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

export function parseJql(jql: string): JqlQuery {
  const tokens = tokenize(jql);
  let pos = 0;
  const peekWord = (word: string) => {
    const t = tokens[pos];
    return t?.kind === 'word' && t.value.toLowerCase() === word;
  };
  const value = (): string => {
    const t = tokens[pos++];
    if (!t || (t.kind !== 'word' && t.kind !== 'string'))
      throw new JqlError('Error in the JQL Query: Expecting a value but got the end of the query or a reserved character.');
    return t.value;
  };

  const clauses: JqlClause[] = [];
  while (pos < tokens.length && !peekWord('order')) {
    if (clauses.length > 0) {
      if (!peekWord('and')) {
        const t = tokens[pos];
        throw new JqlError(`Error in the JQL Query: Expecting either 'AND' or 'ORDER BY' but got '${t ? t.value : 'end'}'. (the double supports AND only)`);
      }
      pos++;
    }
    const fieldToken = tokens[pos++];
    if (!fieldToken || (fieldToken.kind !== 'word' && fieldToken.kind !== 'string')) throw new JqlError('Error in the JQL Query: Expecting a field name.');
    const field = FIELDS[fieldToken.value.toLowerCase()];
    if (!field) throw new JqlError(`Field '${fieldToken.value}' does not exist or you do not have permission to view it.`);
    let op: JqlClause['op'];
    const opToken = tokens[pos];
    if (opToken?.kind === 'op' && (opToken.value === '=' || opToken.value === '!=')) {
      op = opToken.value;
      pos++;
    } else if (peekWord('in')) {
      op = 'in';
      pos++;
    } else if (peekWord('not') && tokens[pos + 1]?.kind === 'word' && tokens[pos + 1]!.value.toLowerCase() === 'in') {
      op = 'not in';
      pos += 2;
    } else {
      throw new JqlError(`Error in the JQL Query: Expecting operator but got '${opToken ? opToken.value : 'end'}'. (the double supports =, !=, in, not in)`);
    }
    const values: string[] = [];
    if (op === 'in' || op === 'not in') {
      if (tokens[pos]?.kind !== 'punct' || tokens[pos]!.value !== '(') throw new JqlError("Error in the JQL Query: Expecting '(' after IN.");
      pos++;
      for (;;) {
        values.push(value());
        const t = tokens[pos++];
        if (t?.kind === 'punct' && t.value === ')') break;
        if (!(t?.kind === 'punct' && t.value === ',')) throw new JqlError("Error in the JQL Query: Expecting ',' or ')'.");
      }
    } else {
      values.push(value());
    }
    clauses.push({ field, op, values });
  }

  const orderBy: Array<{ field: string; direction: 'asc' | 'desc' }> = [];
  if (peekWord('order')) {
    pos++;
    if (!peekWord('by')) throw new JqlError("Error in the JQL Query: Expecting 'BY' after 'ORDER'.");
    pos++;
    for (;;) {
      const field = value();
      let direction: 'asc' | 'desc' = 'asc';
      if (peekWord('asc') || peekWord('desc')) direction = (tokens[pos++] as { value: string }).value.toLowerCase() as 'asc' | 'desc';
      orderBy.push({ field: field.toLowerCase(), direction });
      const t = tokens[pos];
      if (t?.kind === 'punct' && t.value === ',') {
        pos++;
        continue;
      }
      break;
    }
    if (orderBy.length > 7) throw new JqlError('Error in the JQL Query: The ORDER BY clause can contain a maximum of 7 fields.');
  }
  if (pos < tokens.length) throw new JqlError(`Error in the JQL Query: Unexpected '${tokens[pos]!.value}'.`);
  return { clauses, orderBy };
}
