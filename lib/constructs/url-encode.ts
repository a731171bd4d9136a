import { Fn } from 'aws-cdk-lib';

/**
 * URL-encodes an ARN in CloudFormation (nested Fn::Split/Fn::Join): `:` becomes `%3A` and `/` becomes `%2F`.
 * Those are the only characters of an AgentCore runtime ARN that `encodeURIComponent` changes.
 */
export function urlEncodeArn(arn: string): string {
  return Fn.join('%2F', Fn.split('/', Fn.join('%3A', Fn.split(':', arn))));
}
