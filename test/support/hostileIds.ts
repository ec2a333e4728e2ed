/** Ids that try to leave the store folder; shared by the unit and integration path suites. */

/** Every way we know to spell "somewhere else" as an execution id. */
export function hostileIds(valid: string): string[] {
  return [
    '../x',
    '../../x',
    '..',
    '.',
    '/etc/passwd',
    '/tmp/x',
    '%2f..',
    '..%2f..%2fx',
    '%2e%2e%2fx',
    '..%5c..%5cx',
    'x/../../y',
    'C:\\Windows\\win.ini',
    '\\\\server\\share\\x',
    '..\\..\\x',
    'a\u0000b',
    'file:///etc/passwd',
    '~/x',
    `${valid}/../../x`,
    `../${valid}`,
    `${valid}/..`,
    `${valid}.json`,
    `${valid}\u0000`,
    `${valid}\n`,
    ` ${valid}`,
    `${valid} `,
    `urn:uuid:${valid}/..`,
    `{${valid}}/..`,
    `{../../${valid.slice(6)}}`,
    valid.replace(/-/g, '/'),
    valid.replace(/0|1|2|3|4|5|6|7|8|9/g, (d) => String.fromCharCode(0xff10 + Number(d))), // fullwidth digits
    'x'.repeat(10_000),
    '',
  ];
}
