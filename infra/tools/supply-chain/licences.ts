import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

// Licence check of everything StackLens ships: the Lambda bundles, the kiosk agent bundle, the dashboard bundle and the
// local runtime / CDK app that run from the workspaces' `dependencies`.
//
// The production closure is computed here by walking `dependencies`, `optionalDependencies` and `peerDependencies` from
// each workspace with Node's own lookup (nearest node_modules upwards), not taken from `npm ls --omit=dev --all --json`:
// with npm 11.19 that output left out 17 of the 144 production packages of this repository, among them mnemonist,
// obliterator and react-dom's scheduler, which end up in the Lambda and dashboard bundles (the walk matched, package for
// package, the entries of package-lock.json that npm itself does not flag as dev). The walk is a superset of what the
// bundlers include (it also covers code no bundle imports: the CDK app's and the local runtime's dependencies); a unit
// test bundles every shipped entry with esbuild and checks that each package in the metafiles is inside this closure,
// so "superset" is measured, not assumed.

/**
 * Licences a production dependency may carry without a human looking at it. All are permissive: they allow use,
 * modification and redistribution in a closed bundle and at most ask for the notice to be kept; none is copyleft.
 * - MIT, ISC, BSD-2-Clause, BSD-3-Clause, Apache-2.0: the usual permissive licences (Apache-2.0 adds a patent grant).
 * - MIT-0, 0BSD, Unlicense, CC0-1.0: public-domain-like, not even attribution is required (AWS Powertools is MIT-0).
 * - BlueOak-1.0.0: permissive with a patent grant (isaacs' packages, e.g. minimatch).
 * - Python-2.0: the PSF licence stack, BSD-style and GPL-compatible (argparse uses it).
 * Deliberately absent: CC-BY-* (a content licence: acceptable for data such as caniuse-lite, but the check cannot tell
 * data from code, so such a package is a decision for a person), MPL/EPL/LGPL/GPL/AGPL (copyleft of some reach),
 * UNLICENSED and LicenseRef-* (proprietary or unknown terms) and free-text strings that are not SPDX.
 */
export const ALLOWED_LICENCES: readonly string[] = [
  'MIT',
  'MIT-0',
  'ISC',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'Apache-2.0',
  '0BSD',
  'Unlicense',
  'CC0-1.0',
  'BlueOak-1.0.0',
  'Python-2.0',
];

export type SupplyChainErrorCode = 'LICENCE_EXPRESSION_INVALID' | 'DEPENDENCY_MISSING' | 'MANIFEST_INVALID';

export class SupplyChainError extends Error {
  override readonly name = 'SupplyChainError';
  readonly code: SupplyChainErrorCode;
  constructor(code: SupplyChainErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// SPDX licence expressions (SPDX 2.3 annex D): AND binds tighter than OR, WITH attaches an exception to one licence,
// a trailing + means "this version or later". Identifiers match case-insensitively, operators only in upper case.

export type LicenceExpression =
  | { readonly kind: 'licence'; readonly id: string; readonly orLater: boolean; readonly exception?: string }
  | { readonly kind: 'and' | 'or'; readonly left: LicenceExpression; readonly right: LicenceExpression };

const IDENTIFIER = /^(?:DocumentRef-[A-Za-z0-9.-]+:)?[A-Za-z0-9.-]+\+?$/;

function tokenise(text: string): string[] {
  return text
    .replace(/[()]/g, ' $& ')
    .split(/\s+/)
    .filter((token) => token.length > 0);
}

export function parseLicenceExpression(text: string): LicenceExpression {
  const tokens = tokenise(text);
  let position = 0;
  const fail = (why: string): never => {
    throw new SupplyChainError('LICENCE_EXPRESSION_INVALID', `"${text}" is not an SPDX licence expression: ${why}`);
  };

  const parseOr = (): LicenceExpression => {
    let left = parseAnd();
    while (tokens[position] === 'OR') {
      position += 1;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): LicenceExpression => {
    let left = parseAtom();
    while (tokens[position] === 'AND') {
      position += 1;
      left = { kind: 'and', left, right: parseAtom() };
    }
    return left;
  };
  const parseAtom = (): LicenceExpression => {
    const token = tokens[position];
    if (token === undefined) return fail('it ends where a licence was expected');
    position += 1;
    if (token === '(') {
      const inner = parseOr();
      if (tokens[position] !== ')') return fail('a parenthesis is not closed');
      position += 1;
      return inner;
    }
    if (token === ')' || token === 'AND' || token === 'OR' || token === 'WITH' || !IDENTIFIER.test(token)) {
      return fail(`"${token}" stands where a licence identifier was expected`);
    }
    const orLater = token.endsWith('+');
    const id = orLater ? token.slice(0, -1) : token;
    if (tokens[position] !== 'WITH') return { kind: 'licence', id, orLater };
    position += 1;
    const exception = tokens[position];
    if (exception === undefined || !IDENTIFIER.test(exception) || exception.endsWith('+')) return fail('WITH is not followed by an exception identifier');
    position += 1;
    return { kind: 'licence', id, orLater, exception };
  };

  const expression = parseOr();
  if (position < tokens.length) fail(`"${tokens[position] ?? ''}" is left over after a complete expression`);
  return expression;
}

/**
 * Whether the terms of `expression` can be met using allowed licences only: one side of an OR is enough, both sides of
 * an AND are needed. A WITH exception only ever adds permissions, and "or later" leaves the named version available, so
 * neither changes the verdict of the licence it is attached to.
 */
export function isSatisfiedBy(expression: LicenceExpression, allowed: readonly string[]): boolean {
  switch (expression.kind) {
    case 'licence':
      return allowed.some((id) => id.toLowerCase() === expression.id.toLowerCase());
    case 'and':
      return isSatisfiedBy(expression.left, allowed) && isSatisfiedBy(expression.right, allowed);
    case 'or':
      return isSatisfiedBy(expression.left, allowed) || isSatisfiedBy(expression.right, allowed);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// What a package declares

export interface DeclaredLicence {
  /** An SPDX expression, or the raw text when the package wrote something else (the verdict then says why it fails). */
  readonly expression: string;
  readonly source: 'license' | 'legacy-license-object' | 'legacy-licenses-array' | 'licence-file';
  readonly file?: string;
}

interface Manifest {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly license?: unknown;
  readonly licenses?: unknown;
  readonly dependencies?: unknown;
  readonly optionalDependencies?: unknown;
  readonly peerDependencies?: unknown;
  readonly workspaces?: unknown;
}

function legacyType(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry !== null && typeof entry === 'object' && typeof (entry as { type?: unknown }).type === 'string') return (entry as { type: string }).type;
  return undefined;
}

const LICENCE_FILE = /^(?:licen[cs]e|copying)(?:[.-].*)?$/i;

/**
 * Names a licence from its text, for packages that declare none in package.json. Only texts recognised beyond doubt are
 * named; anything else comes back undefined and fails the check, so a person reads it.
 */
export function recogniseLicenceText(text: string): string | undefined {
  const flat = text.replace(/\s+/g, ' ');
  if (/Apache License,? Version 2\.0/i.test(flat)) return 'Apache-2.0';
  if (/Permission is hereby granted, free of charge, to any person obtaining a copy/i.test(flat)) {
    return /The above copyright notice and this permission notice shall be included/i.test(flat) ? 'MIT' : 'MIT-0';
  }
  if (/Permission to use, copy, modify, and\/?or distribute this software for any purpose with or without fee is hereby granted/i.test(flat)) {
    return /provided that the above copyright notice and this permission notice appear in all copies/i.test(flat) ? 'ISC' : '0BSD';
  }
  if (/Redistribution and use in source and binary forms, with or without modification, are permitted provided that/i.test(flat)) {
    if (/All advertising materials mentioning features or use of this software/i.test(flat)) return 'BSD-4-Clause';
    return /Neither the name of .{1,200}? may be used to endorse or promote products/i.test(flat) ? 'BSD-3-Clause' : 'BSD-2-Clause';
  }
  if (/This is free and unencumbered software released into the public domain/i.test(flat)) return 'Unlicense';
  return undefined;
}

function licenceFromFile(dir: string, file: string): DeclaredLicence | undefined {
  const full = path.join(dir, file);
  if (!existsSync(full)) return undefined;
  const recognised = recogniseLicenceText(readFileSync(full, 'utf8').slice(0, 64_000));
  return { expression: recognised ?? `unrecognised text in ${file}`, source: 'licence-file', file };
}

/** The package's licence: the `license` field, else the legacy object / `licenses` array, else its LICENSE file. */
export function declaredLicence(dir: string, manifest: Manifest): DeclaredLicence | undefined {
  const { license, licenses } = manifest;
  if (typeof license === 'string' && license.trim() !== '') {
    const seeFile = /^SEE LICEN[CS]E IN (.+)$/i.exec(license.trim());
    if (seeFile?.[1]) return licenceFromFile(dir, seeFile[1].trim()) ?? { expression: license, source: 'license' };
    return { expression: license.trim(), source: 'license' };
  }
  const legacyObject = license !== null && typeof license === 'object' ? legacyType(license) : undefined;
  if (legacyObject) return { expression: legacyObject, source: 'legacy-license-object' };
  if (Array.isArray(licenses)) {
    const types = licenses.map(legacyType);
    // npm's docs translate the deprecated array into an OR of its entries ("(MIT OR Apache-2.0)").
    if (types.length > 0 && types.every((t): t is string => t !== undefined)) {
      return { expression: types.length === 1 ? types[0]! : `(${types.join(' OR ')})`, source: 'legacy-licenses-array' };
    }
  }
  const file = readdirSync(dir).find((name) => LICENCE_FILE.test(name));
  return file ? licenceFromFile(dir, file) : undefined;
}

export interface LicenceVerdict {
  readonly allowed: boolean;
  /** Why it is not allowed; absent when allowed. */
  readonly problem?: string;
}

export function judgeLicence(declared: DeclaredLicence | undefined, allowed: readonly string[] = ALLOWED_LICENCES): LicenceVerdict {
  if (!declared) return { allowed: false, problem: 'declares no licence and has no LICENSE file' };
  if (declared.source === 'licence-file' && declared.expression.startsWith('unrecognised')) return { allowed: false, problem: declared.expression };
  let expression: LicenceExpression;
  try {
    expression = parseLicenceExpression(declared.expression);
  } catch (error) {
    if (error instanceof SupplyChainError) return { allowed: false, problem: error.message };
    throw error;
  }
  return isSatisfiedBy(expression, allowed)
    ? { allowed: true }
    : { allowed: false, problem: `"${declared.expression}" is not satisfiable with allowed licences only` };
}

// ---------------------------------------------------------------------------------------------------------------------
// The production closure

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  /** Real path of the installed package (symlinks resolved). */
  readonly dir: string;
  /** The chain from a workspace that first reached it, for the message when it fails. */
  readonly via: readonly string[];
  readonly manifest: Manifest;
}

function readManifest(dir: string): Manifest {
  const file = path.join(dir, 'package.json');
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Manifest;
  } catch (error) {
    throw new SupplyChainError('MANIFEST_INVALID', `${file} cannot be read as a package manifest: ${(error as Error).message}`);
  }
}

function dependencyNames(field: unknown): string[] {
  return field !== null && typeof field === 'object' ? Object.keys(field) : [];
}

/** Node's lookup: the nearest node_modules/<name> from `fromDir` upwards. */
function resolvePackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function workspaceDirs(repoRoot: string): string[] {
  const declared = readManifest(repoRoot).workspaces;
  // Either a list of folders or the older { packages: [...] } form.
  const list: unknown = Array.isArray(declared)
    ? declared
    : declared !== null && typeof declared === 'object'
      ? (declared as { packages?: unknown }).packages
      : [];
  const dirs: string[] = [];
  for (const pattern of Array.isArray(list) ? list : []) {
    if (typeof pattern !== 'string') continue;
    if (pattern.endsWith('/*')) {
      const parent = path.join(repoRoot, pattern.slice(0, -2));
      for (const entry of existsSync(parent) ? readdirSync(parent, { withFileTypes: true }) : []) {
        if (entry.isDirectory() && existsSync(path.join(parent, entry.name, 'package.json'))) dirs.push(path.join(parent, entry.name));
      }
    } else if (existsSync(path.join(repoRoot, pattern, 'package.json'))) {
      dirs.push(path.join(repoRoot, pattern));
    }
  }
  return dirs.map((dir) => realpathSync(dir));
}

/**
 * Every installed package reachable from the workspaces (and the root manifest) through `dependencies`,
 * `optionalDependencies` and installed `peerDependencies`, each once, workspaces themselves left out (they are this
 * project's own code). A missing required dependency is an incomplete install and throws rather than shrinking the check.
 */
export function productionClosure(repoRoot: string): InstalledPackage[] {
  const root = realpathSync(repoRoot);
  const ownDirs = new Set([root, ...workspaceDirs(root)]);
  const found = new Map<string, InstalledPackage>();
  const queue: { dir: string; manifest: Manifest; via: readonly string[] }[] = [...ownDirs].map((dir) => {
    const manifest = readManifest(dir);
    return { dir, manifest, via: [typeof manifest.name === 'string' ? manifest.name : path.relative(root, dir) || '.'] };
  });

  while (queue.length > 0) {
    const { dir, manifest, via } = queue.shift()!;
    const edges: { name: string; required: boolean }[] = [
      ...dependencyNames(manifest.dependencies).map((name) => ({ name, required: true })),
      ...dependencyNames(manifest.optionalDependencies).map((name) => ({ name, required: false })),
      // A peer that is not installed is one the package can run without (npm installs required peers itself).
      ...dependencyNames(manifest.peerDependencies).map((name) => ({ name, required: false })),
    ];
    for (const { name, required } of edges) {
      const target = resolvePackageDir(name, dir);
      if (!target) {
        if (required) throw new SupplyChainError('DEPENDENCY_MISSING', `${via.join(' > ')} needs ${name}, which is not installed; run npm ci first`);
        continue;
      }
      // Another workspace is walked from the start anyway and its licence is this project's own.
      if (ownDirs.has(target) || found.has(target)) continue;
      const targetManifest = readManifest(target);
      const entry: InstalledPackage = {
        name: typeof targetManifest.name === 'string' ? targetManifest.name : name,
        version: typeof targetManifest.version === 'string' ? targetManifest.version : '?',
        dir: target,
        via: [...via, name],
        manifest: targetManifest,
      };
      found.set(target, entry);
      queue.push({ dir: target, manifest: targetManifest, via: entry.via });
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

// ---------------------------------------------------------------------------------------------------------------------
// The report

export interface PackageLicence extends LicenceVerdict {
  readonly pkg: InstalledPackage;
  readonly declared?: DeclaredLicence;
}

export interface LicenceReport {
  readonly packages: readonly PackageLicence[];
  readonly violations: readonly PackageLicence[];
  /** Declared expression → number of packages, most common first. */
  readonly counts: ReadonlyArray<readonly [string, number]>;
}

export function checkLicences(packages: readonly InstalledPackage[], allowed: readonly string[] = ALLOWED_LICENCES): LicenceReport {
  const judged = packages.map((pkg): PackageLicence => {
    const declared = declaredLicence(pkg.dir, pkg.manifest);
    return { pkg, ...(declared ? { declared } : {}), ...judgeLicence(declared, allowed) };
  });
  const counts = new Map<string, number>();
  for (const entry of judged) {
    const key = entry.declared?.expression ?? '(none)';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return {
    packages: judged,
    violations: judged.filter((entry) => !entry.allowed),
    counts: [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  };
}

export function formatLicenceReport(report: LicenceReport, options: { list?: boolean } = {}): string {
  const lines = [`Production dependencies: ${report.packages.length} packages (workspace dependencies, their dependencies, installed peers)`, ''];
  const width = Math.max(...report.counts.map(([licence]) => licence.length), 7);
  lines.push(`${'licence'.padEnd(width)}  packages`);
  for (const [licence, count] of report.counts) lines.push(`${licence.padEnd(width)}  ${String(count).padStart(8)}`);
  if (options.list) {
    lines.push('');
    for (const entry of report.packages)
      lines.push(`${entry.pkg.name}@${entry.pkg.version}  ${entry.declared?.expression ?? '(none)'}  [${entry.declared?.source ?? '-'}]`);
  }
  lines.push('');
  if (report.violations.length === 0) {
    lines.push(`All ${report.packages.length} packages are under allowed licences (${ALLOWED_LICENCES.join(', ')}).`);
  } else {
    lines.push(`${report.violations.length} package(s) outside the allow-list:`);
    for (const entry of report.violations) lines.push(`  ${entry.pkg.name}@${entry.pkg.version}: ${entry.problem ?? ''} (via ${entry.pkg.via.join(' > ')})`);
  }
  return `${lines.join('\n')}\n`;
}
