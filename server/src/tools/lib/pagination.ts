import type { AwsOperation } from '../../aws/actions';
import { AwsCallError } from '../../aws/errors';
import type { InputOf, OutputOf } from '../../aws/operations';

/** How a paginated operation is read. */
export interface PaginateOptions {
  /** The request field carrying the page token, e.g. NextPageToken. */
  readonly inputToken: string;
  /** The response field carrying the next page token. */
  readonly outputToken: string;
  readonly region?: string;
  /** Pages read at most (default: MAX_PAGES). */
  readonly maxPages?: number;
  /** What the pages hold, for the note when more exist ("budgets", "anomalies"; default "pages"). */
  readonly items?: string;
  /** What the note tells the user to do or to know when more exist (default: the figures cover what was read). */
  readonly advice?: string;
}

/** What a paginated read returned. */
export interface Paginated<T> {
  readonly pages: T[];
  /** More pages exist than were read (the page bound or the deadline stopped reading). */
  readonly more: boolean;
  /** Set when the tool deadline stopped reading: why, in words. */
  readonly incomplete?: string;
  /** The one note an answer gives about this read when it is partial (the deadline, or the page bound). */
  readonly note?: string;
}

/** Reads one page: the tool context's `call` with its deadline, cache and metering. */
export type PageReader<O extends AwsOperation> = (input: InputOf<O>, region?: string) => Promise<OutputOf<O>>;

/**
 * Follows a paginated operation up to `maxPages`. Pages already read when the deadline fires are still an answer:
 * reading stops and the result says what is missing rather than failing the whole call.
 */
export async function readPages<O extends AwsOperation>(
  read: PageReader<O>,
  input: InputOf<O>,
  options: PaginateOptions & { readonly maxPages: number; readonly deadlineSeconds: number },
  signal: AbortSignal,
): Promise<Paginated<OutputOf<O>>> {
  const pages: OutputOf<O>[] = [];
  const stopped = (): Paginated<OutputOf<O>> => {
    const incomplete =
      `incomplete: the tool deadline (${options.deadlineSeconds} s) stopped reading after ${pages.length} page(s); ` +
      `the figures cover only those pages. Narrow the range or filters for the rest.`;
    return { pages, more: true, incomplete, note: incomplete };
  };
  let token: string | undefined;
  do {
    if (signal.aborted && pages.length > 0) return stopped();
    const request = (token ? { ...input, [options.inputToken]: token } : input) as InputOf<O>;
    try {
      const page = await read(request, options.region);
      pages.push(page);
      token = (page as Record<string, unknown>)[options.outputToken] as string | undefined;
    } catch (err) {
      if (err instanceof AwsCallError && err.kind === 'deadline' && pages.length > 0) return stopped();
      throw err;
    }
  } while (token && pages.length < options.maxPages);
  if (!token) return { pages, more: false };
  const note =
    `More ${options.items ?? 'pages'} exist beyond the ${options.maxPages} pages read; ` +
    `${options.advice ?? 'the figures cover what was read'}.`;
  return { pages, more: true, note };
}
