// The verdict logic of the licence check on planted cases: SPDX expressions with OR/AND/WITH/+, legacy package.json
// forms, LICENSE texts and missing licences, so a change that lets a copyleft or unknown licence through fails here.

import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {
  ALLOWED_LICENCES,
  declaredLicence,
  isSatisfiedBy,
  judgeLicence,
  parseLicenceExpression,
  recogniseLicenceText,
  SupplyChainError,
  type LicenceExpression,
} from '../../../tools/supply-chain/licences.js';

const verdictOf = (expression: string): boolean => judgeLicence({ expression, source: 'license' }).allowed;

describe('Function: parseLicenceExpression + isSatisfiedBy', () => {
  it.each([
    ['MIT', true],
    ['mit', true],
    ['Apache-2.0', true],
    ['(MIT OR GPL-3.0-or-later)', true],
    ['GPL-3.0-or-later OR MIT', true],
    ['MIT AND ISC', true],
    ['MIT AND (Apache-2.0 OR GPL-2.0-only)', true],
    ['Apache-2.0 WITH LLVM-exception', true],
    ['Apache-2.0+', true],
    ['GPL-3.0-only', false],
    ['MIT AND GPL-3.0-only', false],
    ['GPL-2.0-only OR LGPL-3.0-only', false],
    ['GPL-2.0-only WITH Classpath-exception-2.0', false],
    ['MPL-2.0', false],
    ['CC-BY-4.0', false],
    ['UNLICENSED', false],
    ['LicenseRef-Proprietary', false],
  ])('judges %s as allowed=%s', (expression, expected) => {
    // Act
    const allowed = verdictOf(expression);

    // Assess
    expect(allowed).toBe(expected);
  });

  it('binds AND tighter than OR, as SPDX does', () => {
    // Prepare: the same three licences, grouped by precedence and by explicit parentheses the other way.
    const byPrecedence = 'MIT OR Apache-2.0 AND GPL-3.0-only';
    const regrouped = '(MIT OR Apache-2.0) AND GPL-3.0-only';

    // Act
    const tree = parseLicenceExpression(byPrecedence);

    // Assess
    expect(tree.kind).toBe('or');
    expect(verdictOf(byPrecedence)).toBe(true);
    expect(verdictOf(regrouped)).toBe(false);
  });

  it.each(['', '(MIT', 'MIT)', 'MIT OR', 'AND MIT', 'MIT or Apache-2.0', 'MIT Apache-2.0', 'MIT WITH', 'Apache License 2.0', 'MIT/X11'])(
    'refuses the malformed or non-SPDX text %j with a typed error and a failing verdict',
    (expression) => {
      // Act
      const parse = () => parseLicenceExpression(expression);

      // Assess
      expect(parse).toThrow(SupplyChainError);
      expect(judgeLicence({ expression, source: 'license' })).toEqual({ allowed: false, problem: expect.stringContaining('not an SPDX licence expression') });
    },
  );

  const idArb = fc.constantFrom('MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause', 'GPL-3.0-only', 'LGPL-2.1-or-later', 'MPL-2.0', 'CC-BY-4.0', 'UNLICENSED');
  const treeArb: fc.Arbitrary<LicenceExpression> = fc.letrec<{ tree: LicenceExpression }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      idArb.map((id): LicenceExpression => ({ kind: 'licence', id, orLater: false })),
      fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('tree'), right: tie('tree') }),
    ),
  })).tree;
  const print = (tree: LicenceExpression): string =>
    tree.kind === 'licence' ? tree.id : `(${print(tree.left)} ${tree.kind.toUpperCase()} ${print(tree.right)})`;
  const model = (tree: LicenceExpression): boolean =>
    tree.kind === 'licence'
      ? ALLOWED_LICENCES.includes(tree.id)
      : tree.kind === 'and'
        ? model(tree.left) && model(tree.right)
        : model(tree.left) || model(tree.right);

  it('parses any printed expression back into the same tree, with the verdict of a plain boolean model', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        // Act
        const parsed = parseLicenceExpression(print(tree));

        // Assess
        expect(parsed).toEqual(tree);
        expect(isSatisfiedBy(parsed, ALLOWED_LICENCES)).toBe(model(tree));
      }),
      { numRuns: 300 },
    );
  });

  it('throws nothing but its typed error on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('(', ')', ' ', 'A', 'N', 'D', 'O', 'R', 'W', 'I', 'T', 'H', '+', ':', '-', 'M', 'é') }), (text) => {
        try {
          parseLicenceExpression(text);
        } catch (error) {
          expect(error).toBeInstanceOf(SupplyChainError);
          expect((error as SupplyChainError).code).toBe('LICENCE_EXPRESSION_INVALID');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('Function: declaredLicence', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'licence-decl-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  let counter = 0;
  const packageDir = (files: Record<string, string> = {}): string => {
    const dir = path.join(scratch, `p${counter++}`);
    mkdirSync(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return dir;
  };

  const MIT_TEXT = `Copyright (c) 2020 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.`;
  const BSD4_TEXT = `Redistribution and use in source and binary forms, with or without modification, are permitted provided that
the following conditions are met: 3. All advertising materials mentioning features or use of this software must display
the following acknowledgement. 4. Neither the name of the University may be used to endorse or promote products.`;

  it('reads the legacy license object and the legacy licenses array as an OR of its entries', () => {
    // Prepare
    const dir = packageDir();

    // Act
    const object = declaredLicence(dir, { license: { type: 'MIT', url: 'https://example.invalid/mit' } });
    const allowedArray = declaredLicence(dir, { licenses: [{ type: 'GPL-2.0-only' }, { type: 'MIT' }] });
    const copyleftArray = declaredLicence(dir, { licenses: [{ type: 'GPL-2.0-only' }] });

    // Assess
    expect(object).toEqual({ expression: 'MIT', source: 'legacy-license-object' });
    expect(allowedArray).toEqual({ expression: '(GPL-2.0-only OR MIT)', source: 'legacy-licenses-array' });
    expect(judgeLicence(allowedArray).allowed).toBe(true);
    expect(judgeLicence(copyleftArray).allowed).toBe(false);
  });

  it('falls back to a LICENSE file when package.json names no licence, and names only texts it recognises', () => {
    // Prepare
    const mit = packageDir({ 'LICENSE.md': MIT_TEXT });
    const bsd4 = packageDir({ LICENCE: BSD4_TEXT });
    const custom = packageDir({ 'LICENSE.txt': 'You may use this software on Tuesdays only.' });

    // Act
    const verdicts = [mit, bsd4, custom].map((dir) => judgeLicence(declaredLicence(dir, {})));

    // Assess
    expect(declaredLicence(mit, {})).toEqual({ expression: 'MIT', source: 'licence-file', file: 'LICENSE.md' });
    expect(verdicts.map((v) => v.allowed)).toEqual([true, false, false]);
    expect(verdicts[2]?.problem).toContain('unrecognised text in LICENSE.txt');
  });

  it('follows "SEE LICENSE IN <file>" to the named file', () => {
    // Prepare
    const dir = packageDir({ 'terms.txt': 'Proprietary. All rights reserved.' });

    // Act
    const verdict = judgeLicence(declaredLicence(dir, { license: 'SEE LICENSE IN terms.txt' }));

    // Assess
    expect(verdict).toEqual({ allowed: false, problem: 'unrecognised text in terms.txt' });
  });

  it('fails a package that declares no licence and ships no licence file', () => {
    // Prepare
    const dir = packageDir({ 'index.js': 'export {};' });

    // Act
    const declared = declaredLicence(dir, { license: '  ' });

    // Assess
    expect(declared).toBeUndefined();
    expect(judgeLicence(declared)).toEqual({ allowed: false, problem: 'declares no licence and has no LICENSE file' });
  });

  it.each([
    ['Permission is hereby granted, free of charge, to any person obtaining a copy of this software, to deal without restriction.', 'MIT-0'],
    [
      'Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted, provided that the above copyright notice and this permission notice appear in all copies.',
      'ISC',
    ],
    ['Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted.', '0BSD'],
    ['Redistribution and use in source and binary forms, with or without modification, are permitted provided that the conditions are met.', 'BSD-2-Clause'],
    ['                                 Apache License\n                           Version 2.0, January 2004', 'Apache-2.0'],
  ])('recognises %j as %s', (text, expected) => {
    // Act
    const recognised = recogniseLicenceText(text);

    // Assess
    expect(recognised).toBe(expected);
  });
});
