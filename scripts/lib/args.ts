/** Command-line flags shared by `npm run smoke` and `npm run quick-config`. */
export interface CliOptions {
  /** Prefix of the stack names (`<prefix>-Auth`, `<prefix>-Runtime`). */
  readonly stackPrefix: string;
  /** Region the stacks are deployed in; undefined = the AWS SDK's default chain (AWS_REGION, profile). */
  readonly region: string | undefined;
  readonly showSecret: boolean;
  /** smoke: the tool to call instead of the default cheap one. */
  readonly tool: string | undefined;
  /** smoke: per-request timeout. */
  readonly timeoutSeconds: number;
  readonly help: boolean;
}

/** Thrown for unusable flags; the message is printed as is. */
export class UsageError extends Error {}

export const DEFAULT_STACK_PREFIX = 'BillingMcp';

const FLAGS = new Set([
  '--stack-prefix',
  '--region',
  '--show-secret',
  '--tool',
  '--timeout-seconds',
  '--help',
  '-h',
]);
const BOOLEAN = new Set(['--show-secret', '--help', '-h']);

/** Parses `--flag value` and `--flag=value` forms; unknown flags are an error, not silently ignored. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!FLAGS.has(flag)) throw new UsageError(`Unknown argument "${arg}". Try --help.`);
    if (BOOLEAN.has(flag)) {
      values.set(flag, 'true');
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--')))
      throw new UsageError(`${flag} needs a value.`);
    values.set(flag, value);
  }
  const stackPrefix = values.get('--stack-prefix') ?? DEFAULT_STACK_PREFIX;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,39}$/.test(stackPrefix))
    throw new UsageError(
      `--stack-prefix must be a letter followed by letters, digits or hyphens, got "${stackPrefix}".`,
    );
  const region = values.get('--region');
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region))
    throw new UsageError(`--region must be a region name like us-east-1, got "${region}".`);
  const timeout = Number(values.get('--timeout-seconds') ?? 60);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600)
    throw new UsageError('--timeout-seconds must be a number of seconds from 1 to 600.');
  return {
    stackPrefix,
    region,
    showSecret: values.has('--show-secret'),
    tool: values.get('--tool'),
    timeoutSeconds: timeout,
    help: values.has('--help') || values.has('-h'),
  };
}

/** The explicit region, else the SDK's (AWS_REGION, profile); a clear UsageError when there is none. */
export async function resolveRegion(
  explicit: string | undefined,
  fromSdk: () => Promise<string>,
): Promise<string> {
  if (explicit) return explicit;
  try {
    return await fromSdk();
  } catch {
    throw new UsageError(
      'No AWS region: pass --region (the region the stacks were deployed to) or set AWS_REGION.',
    );
  }
}

/** What a script starts from: its options and region, or the exit code when there is nothing more to do. */
export type CliStart =
  | { readonly options: CliOptions; readonly region: string; readonly exitCode?: undefined }
  | { readonly exitCode: number };

/**
 * What both scripts do first: parse the flags, print `help` for --help (exit code 0), resolve the region (`sdkRegion`
 * is the AWS SDK's default). A usage error is printed and ends the script with exit code 2.
 */
export async function startCli(
  argv: readonly string[],
  help: string,
  sdkRegion: () => Promise<string>,
): Promise<CliStart> {
  try {
    const options = parseArgs(argv);
    if (options.help) {
      console.log(help);
      return { exitCode: 0 };
    }
    return { options, region: await resolveRegion(options.region, sdkRegion) };
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return { exitCode: 2 };
    }
    throw err;
  }
}

/** Runs a script's `main`: its result is the process exit code; a crash prints its message and exits with 1. */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => (process.exitCode = code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
