import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The one ASL file: the CDK stack loads it with DefinitionBody.fromFile, the local runtime through this function. */
export const WORKFLOW_ASL_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../workflow/incident-workflow.asl.json');
export const STATE_MACHINE_NAME = 'stacklens-incident-workflow';

/** Fills `${Name}` placeholders the way CDK's definitionSubstitutions does; an unfilled one is an error, not a silent gap. */
export function loadWorkflowDefinition(substitutions: Readonly<Record<string, string>>): Record<string, unknown> {
  const text = readFileSync(WORKFLOW_ASL_FILE, 'utf8').replace(/\$\{(\w+)\}/g, (match, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`The workflow definition needs a value for \${${name}}`);
    return value;
  });
  return JSON.parse(text) as Record<string, unknown>;
}
