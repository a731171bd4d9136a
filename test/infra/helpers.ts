import { scripts } from '../../package.json';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, type cx_api as cxapi } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type BillingMcpStacks, buildApp } from '../../lib/app';
import { type AppConfig, parseConfig } from '../../lib/config';

/**
 * The context `npm run synth:all` passes: its `-c key=value` flags, read from package.json, so the checks that cover
 * "every synthesized template" cover exactly what that command synthesizes.
 */
export const SYNTH_ALL_CONTEXT: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries([...scripts['synth:all'].matchAll(/-c (\w+)=(\S+)/g)].map((m) => [m[1], m[2]])),
);

/** The `context` of cdk.json, as `cdk synth` reads it. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** What bin/app.ts does, with `-c` style overrides on top of cdk.json's context. */
export function buildTestApp(overrides: Record<string, unknown> = {}): {
  app: App;
  config: AppConfig;
  stacks: BillingMcpStacks;
} {
  const app = new App({ context: { ...cdkJsonContext(), ...overrides } });
  const config = parseConfig(app.node.getAllContext() as Record<string, unknown>);
  return { app, config, stacks: buildApp(app, config) };
}

/**
 * A configuration synth:all cannot include, since it excludes `costDataExport`: the deployment pointed at an
 * existing cost-data table, which alone creates the CostDataAccess stack.
 */
export const EXISTING_TABLE_CONTEXT: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(
    Object.entries(SYNTH_ALL_CONTEXT).filter(([key]) => key !== 'costDataExport' && key !== 'storageLens'),
  ),
  costDataTable: 'cur_exports.focus_1_2',
  athenaWorkgroup: 'finops',
});

/**
 * Every stack the app can create, synthesized: synth:all's, then the ones only {@link EXISTING_TABLE_CONTEXT}
 * adds. `extra` goes on top of both contexts.
 */
export function everyStackArtifact(extra: Record<string, unknown> = {}): cxapi.CloudFormationStackArtifact[] {
  const all = buildTestApp({ ...SYNTH_ALL_CONTEXT, ...extra }).app.synth().stacks;
  const names = new Set(all.map((s) => s.stackName));
  const more = buildTestApp({ ...EXISTING_TABLE_CONTEXT, ...extra })
    .app.synth()
    .stacks.filter((s) => !names.has(s.stackName));
  return [...all, ...more];
}

/** Substituted values for the references an expression may contain. */
export interface CfnValues {
  /** `Ref` targets: logical ids and pseudo parameters (`AWS::Region`, ...). */
  readonly refs?: Readonly<Record<string, string>>;
  /** `Fn::GetAtt` targets, keyed `<logicalId>.<attribute>`. */
  readonly getAtts?: Readonly<Record<string, string>>;
}

/**
 * Evaluates a CloudFormation expression built from Fn::Join, Fn::Split, Fn::Select, Ref and Fn::GetAtt with the
 * given values, the way CloudFormation would; plain objects and arrays are evaluated member by member. Any other
 * intrinsic throws, so a test can't pass by not evaluating.
 */
export function evaluateCfn(expr: unknown, values: CfnValues): unknown {
  const ev = (e: unknown): unknown => evaluateCfn(e, values);
  if (typeof expr === 'string' || typeof expr === 'number' || typeof expr === 'boolean') return expr;
  if (Array.isArray(expr)) return expr.map(ev);
  if (expr !== null && typeof expr === 'object') {
    const entries = Object.entries(expr);
    const isIntrinsic = entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'));
    if (!isIntrinsic) return Object.fromEntries(entries.map(([k, v]) => [k, ev(v)]));
    const [fn, arg] = entries[0] as [string, unknown];
    switch (fn) {
      case 'Ref': {
        const value = values.refs?.[arg as string];
        if (value === undefined) throw new Error(`No value for Ref ${String(arg)}`);
        return value;
      }
      case 'Fn::GetAtt': {
        const key = (arg as string[]).join('.');
        const value = values.getAtts?.[key];
        if (value === undefined) throw new Error(`No value for GetAtt ${key}`);
        return value;
      }
      case 'Fn::Join': {
        const [delimiter, list] = arg as [string, unknown];
        return (ev(list) as string[]).join(delimiter);
      }
      case 'Fn::Split': {
        const [delimiter, source] = arg as [string, unknown];
        return (ev(source) as string).split(delimiter);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number | string, unknown];
        const items = ev(list) as unknown[];
        const i = Number(index);
        if (i < 0 || i >= items.length) throw new Error(`Fn::Select index ${i} out of range`);
        return items[i];
      }
      default:
        throw new Error(`Unsupported intrinsic ${fn}`);
    }
  }
  throw new Error(`Cannot evaluate ${JSON.stringify(expr)}`);
}

/** An IAM statement as it appears in a template. */
export interface CfnStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Every identity-policy statement of a template: inline role policies, AWS::IAM::Policy and managed policies. */
export function policyStatements(template: Template): CfnStatement[] {
  const statements: CfnStatement[] = [];
  for (const resource of Object.values(template.toJSON().Resources ?? {}) as any[]) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of props.Policies ?? []) statements.push(...policy.PolicyDocument.Statement);
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      statements.push(...props.PolicyDocument.Statement);
    }
  }
  return statements;
}

/** The actions of a statement as a list. */
export function actionsOf(statement: CfnStatement): string[] {
  if (statement.Action === undefined) return [];
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}
