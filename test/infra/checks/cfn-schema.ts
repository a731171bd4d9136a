import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';

/** One problem on one resource: `<template> <logical id> <property path>: <problem>`. */
export type SchemaFinding = string;

let loaded: SpecDatabase | undefined;

/** The CloudFormation registry schemas as `@aws-cdk/aws-service-spec` ships them, loaded once per process. */
export function awsServiceSpec(): SpecDatabase {
  loaded ??= loadAwsServiceSpecSync();
  return loaded;
}

/**
 * The spec database keeps a property's type, required flag and allowed values, but a registry schema's `pattern`
 * survives only in the property's documentation, which renders it as `Pattern: \`...\`` (or `*Pattern* : \`...\``).
 */
const DOCUMENTED_PATTERN = /(?:^|\n)\*?Pattern\*? ?: `([^`]+)`/;

/**
 * What a `Custom::<Name>` resource is checked against: it has no schema of its own, and of its properties CloudFormation
 * reads only those of this type (ServiceToken, ServiceTimeout); the handler reads the rest.
 */
const CUSTOM_RESOURCE_TYPE = 'AWS::CloudFormation::CustomResource';

function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function isLiteralObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !isIntrinsic(value);
}

const isNoValue = (value: unknown) => isIntrinsic(value) && value.Ref === 'AWS::NoValue';

function documentedPattern(documentation: string | undefined): RegExp | undefined {
  const source = documentation === undefined ? undefined : DOCUMENTED_PATTERN.exec(documentation)?.[1];
  if (source === undefined) return undefined;
  for (const flags of ['u', '']) {
    try {
      return new RegExp(source, flags);
    } catch {
      // Registry patterns are ECMA-262 regular expressions, but a few rendered ones lost their escaping.
    }
  }
  return undefined;
}

/** The shape of a value, to pick the member of a type union that it can be. */
function shapeOf(value: unknown): 'object' | 'array' | 'scalar' {
  if (Array.isArray(value)) return 'array';
  return value !== null && typeof value === 'object' ? 'object' : 'scalar';
}

function typeShape(type: PropertyType): 'object' | 'array' | 'scalar' | 'any' {
  switch (type.type) {
    case 'json':
      return 'any';
    case 'ref':
    case 'map':
    case 'tag':
      return 'object';
    case 'array':
      return 'array';
    default:
      return 'scalar';
  }
}

/** How much of the templates a check looked at, to show it did not pass by looking at nothing. */
export interface SchemaCoverage {
  /** Resources whose type was found. */
  resources: number;
  /** Property names looked up, nested ones included. */
  properties: number;
  /** Literal values checked against allowed values. */
  enumValues: number;
  /** Literal strings checked against a pattern. */
  patternValues: number;
}

/** What {@link schemaCheck} found and how much it looked at. */
export interface SchemaReport {
  /** The sorted findings. */
  readonly findings: SchemaFinding[];
  readonly coverage: Readonly<SchemaCoverage>;
}

const noCoverage = (): SchemaCoverage => ({ resources: 0, properties: 0, enumValues: 0, patternValues: 0 });

function addCoverage(to: SchemaCoverage, from: SchemaCoverage) {
  to.resources += from.resources;
  to.properties += from.properties;
  to.enumValues += from.enumValues;
  to.patternValues += from.patternValues;
}

class Checker {
  readonly findings: string[] = [];
  readonly coverage = noCoverage();

  constructor(
    private readonly db: SpecDatabase,
    private readonly where: string,
  ) {}

  private report(path: string, problem: string) {
    this.findings.push(`${this.where} ${path}: ${problem}`);
  }

  /** Property names, required properties and each property's value of a literal object. */
  checkObject(properties: ResourceProperties, value: Record<string, unknown>, path: string, owner: string) {
    for (const [name, member] of Object.entries(value)) {
      this.coverage.properties += 1;
      const property = properties[name];
      if (property === undefined) {
        this.report(`${path}.${name}`, `no property ${name} in ${owner}`);
        continue;
      }
      this.checkValue(property.type, member, `${path}.${name}`, documentedPattern(property.documentation));
    }
    for (const [name, property] of Object.entries(properties)) {
      if (property.required === true && !(name in value)) {
        this.report(path, `missing required property ${name} of ${owner}`);
      }
    }
  }

  private checkValue(type: PropertyType, value: unknown, path: string, pattern: RegExp | undefined): void {
    if (isIntrinsic(value)) {
      // Only Fn::If hands on a value of the property's own type (either branch); other intrinsics compute it.
      const branches = value['Fn::If'];
      if (Array.isArray(branches)) {
        branches.slice(1).forEach((branch, i) => {
          if (!isNoValue(branch)) this.checkValue(type, branch, `${path}[Fn::If ${i + 1}]`, pattern);
        });
      }
      return;
    }
    switch (type.type) {
      case 'ref': {
        if (!isLiteralObject(value)) return;
        const definition = this.db.get('typeDefinition', type.reference);
        this.checkObject(definition.properties, value, path, `type ${definition.name}`);
        return;
      }
      case 'tag':
        if (!isLiteralObject(value)) return;
        this.checkObject(
          {
            Key: { type: { type: 'string' }, required: true },
            Value: { type: { type: 'string' }, required: true },
          },
          value,
          path,
          'a tag',
        );
        return;
      case 'array':
        if (Array.isArray(value))
          value.forEach((v, i) => this.checkValue(type.element, v, `${path}[${i}]`, pattern));
        return;
      case 'map':
        if (!isLiteralObject(value)) return;
        for (const [key, v] of Object.entries(value))
          this.checkValue(type.element, v, `${path}.${key}`, pattern);
        return;
      case 'union':
        this.checkUnion(type.types, value, path, pattern);
        return;
      case 'string':
      case 'integer':
        this.checkScalar(type.allowedValues, value, path, pattern);
        return;
      default:
        return;
    }
  }

  /** A union member that the value fits without a finding wins; else the findings of the closest member stand. */
  private checkUnion(types: PropertyType[], value: unknown, path: string, pattern: RegExp | undefined) {
    const shape = shapeOf(value);
    const candidates = types.filter((t) => typeShape(t) === shape || typeShape(t) === 'any');
    if (candidates.length === 0 || candidates.some((t) => typeShape(t) === 'any')) return;
    let best: Checker | undefined;
    for (const candidate of candidates) {
      const trial = new Checker(this.db, this.where);
      trial.checkValue(candidate, value, path, pattern);
      if (best === undefined || trial.findings.length < best.findings.length) best = trial;
      if (best.findings.length === 0) break;
    }
    if (best === undefined) return;
    this.findings.push(...best.findings);
    addCoverage(this.coverage, best.coverage);
  }

  private checkScalar(
    allowedValues: readonly (string | number)[] | undefined,
    value: unknown,
    path: string,
    pattern: RegExp | undefined,
  ) {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    if (allowedValues !== undefined) this.coverage.enumValues += 1;
    if (allowedValues !== undefined && !allowedValues.map(String).includes(String(value))) {
      this.report(path, `${JSON.stringify(value)} is not one of ${allowedValues.join(' | ')}`);
    }
    if (pattern !== undefined && typeof value === 'string') this.coverage.patternValues += 1;
    if (pattern !== undefined && typeof value === 'string' && !pattern.test(value)) {
      this.report(path, `${JSON.stringify(value)} does not match the pattern ${pattern.source}`);
    }
  }
}

/**
 * Checks every resource of the templates against the CloudFormation registry schemas of `@aws-cdk/aws-service-spec`
 * (offline): the resource type exists; every property name exists for the type, and in nested property types for
 * literal objects; required properties are present; literal values are among the allowed values and match the
 * pattern where the spec gives them. Values computed by an intrinsic (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, ...) are
 * not checked; the branches of an Fn::If are, as values of the property's type.
 *
 * @param templates templates keyed by a name (the name findings start with)
 */
export function schemaCheck(
  templates: Readonly<Record<string, object>>,
  db: SpecDatabase = awsServiceSpec(),
): SchemaReport {
  const findings: string[] = [];
  const coverage = noCoverage();
  for (const [templateName, template] of Object.entries(templates)) {
    const resources = (template as { Resources?: Record<string, { Type: string; Properties?: unknown }> })
      .Resources;
    for (const [logicalId, resource] of Object.entries(resources ?? {})) {
      const isCustom = resource.Type.startsWith('Custom::');
      const specs = db.lookup(
        'resource',
        'cloudFormationType',
        'equals',
        isCustom ? CUSTOM_RESOURCE_TYPE : resource.Type,
      );
      if (specs.length === 0) {
        findings.push(
          `${templateName} ${logicalId} Type: no resource type ${resource.Type} in the registry schemas`,
        );
        continue;
      }
      coverage.resources += 1;
      const spec = specs.only().properties;
      const properties = resource.Properties ?? {};
      if (!isLiteralObject(properties)) continue;
      const checker = new Checker(db, `${templateName} ${logicalId}`);
      const checked = isCustom
        ? Object.fromEntries(Object.entries(properties).filter(([k]) => k in spec))
        : properties;
      checker.checkObject(spec, checked, 'Properties', resource.Type);
      findings.push(...checker.findings);
      addCoverage(coverage, checker.coverage);
    }
  }
  return { findings: findings.sort(), coverage };
}
