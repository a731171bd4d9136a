import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The stack's account as cdk-nag spells it in finding ids: `<AWS::AccountId>`, or the concrete account. */
export function nagAccount(scope: IConstruct): string {
  const { account } = Stack.of(scope);
  return Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
}

/** The stack's region as cdk-nag spells it in finding ids: `<AWS::Region>`, or the concrete region. */
export function nagRegion(scope: IConstruct): string {
  const { region } = Stack.of(scope);
  return Token.isUnresolved(region) ? '<AWS::Region>' : region;
}

/**
 * An ARN in the stack's own account and region as cdk-nag spells it in a finding id, so that an acknowledgement
 * matches both env-agnostic stacks and stacks with a concrete environment.
 */
export function nagArn(scope: IConstruct, service: string, resource: string): string {
  return `arn:<AWS::Partition>:${service}:${nagRegion(scope)}:${nagAccount(scope)}:${resource}`;
}
