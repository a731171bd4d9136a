/**
 * `npm run member-template [-- <out file>]`: writes the member-account role as a plain CloudFormation template
 * (default `dist/member-role.template.json`), for teams that roll it out by hand or with their own StackSet. The
 * role name and external id come from cdk.json's context, so the template matches what `cdk deploy` would create.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesizeMemberRoleTemplate } from '../cross-account/member-role-stack';
import { ConfigError, parseConfig } from '../lib/config';

/** Where the template goes unless a path is given. */
export const DEFAULT_MEMBER_TEMPLATE_PATH = path.join('dist', 'member-role.template.json');

/** Writes the member role template for the given CDK context to `outFile` and returns the template. */
export function writeMemberTemplate(outFile: string, context: Readonly<Record<string, unknown>>): object {
  const config = parseConfig(context);
  const template = synthesizeMemberRoleTemplate({
    roleName: config.crossAccountRoleName,
    sourceAccountId: config.sourceAccountId,
    executionRoleArn:
      config.sourceAccountId !== undefined
        ? `arn:aws:iam::${config.sourceAccountId}:role/${config.executionRoleName}`
        : undefined,
    externalId: config.crossAccountExternalId,
  });
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(template, null, 2)}\n`);
  return template;
}

if (require.main === module) {
  const root = path.join(__dirname, '..');
  const outFile = path.resolve(process.argv[2] ?? path.join(root, DEFAULT_MEMBER_TEMPLATE_PATH));
  const cdkJson = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')) as { context?: object };
  try {
    writeMemberTemplate(outFile, { ...cdkJson.context });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  console.log(`Wrote ${path.relative(process.cwd(), outFile)}`);
  console.log(
    'Deploy: aws cloudformation deploy --template-file <file> --stack-name BillingMcp-MemberRole ' +
      '--capabilities CAPABILITY_NAMED_IAM --parameter-overrides SourceAccountId=<id> ExecutionRoleArn=<arn>',
  );
}
