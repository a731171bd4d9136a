import { z } from 'zod';
import { ToolInputError } from '../billing/errors';
import { isAwsFailure, matches } from './lib/optimization';
import { defineTool } from './lib/types';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** list-pricing-attributes: Pricing service codes, attribute names and attribute values. */
export const listPricingAttributesTool = defineTool({
  name: 'list-pricing-attributes',
  title: 'List pricing attributes',
  description:
    'What get-service-pricing filters on: service codes; with service_code its attributes; with ' +
    'attribute_name their values. Public: takes no target_account_id.',
  inputSchema: {
    service_code: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('E.g. AmazonEC2; omit to list service codes.'),
    attribute_name: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe("With service_code: list this attribute's values."),
    search: z.string().max(100).optional().describe('Only entries containing this (any case).'),
    max_results: z
      .number()
      .int()
      .min(1)
      .max(MAX_LIMIT)
      .optional()
      .describe(`Entries listed (default ${DEFAULT_LIMIT}); the rest are counted.`),
  },
  outputSchema: {
    values: z.array(z.string()),
  },
  operations: ['pricing:DescribeServices', 'pricing:GetAttributeValues', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const limit = args.max_results ?? DEFAULT_LIMIT;
    if (args.attribute_name && !args.service_code) {
      throw new ToolInputError(
        'attribute_name needs service_code (e.g. service_code AmazonEC2, attribute_name instanceType).',
      );
    }
    const account = await ctx.account(undefined);
    const paging = { inputToken: 'NextToken', outputToken: 'NextToken' };
    const notes: string[] = [];
    let kind: 'service_codes' | 'attribute_names' | 'attribute_values';
    let all: string[];
    let more = false;

    if (!args.service_code) {
      kind = 'service_codes';
      const r = await ctx.paginate(
        'pricing:DescribeServices',
        { FormatVersion: 'aws_v1', MaxResults: 100 },
        account,
        paging,
      );
      more = r.more;
      const note = r.note;
      if (note) notes.push(note);
      all = r.pages.flatMap((p) => p.Services ?? []).map((s) => s.ServiceCode ?? '');
    } else if (!args.attribute_name) {
      kind = 'attribute_names';
      let services: { ServiceCode?: string; AttributeNames?: string[] }[] | undefined;
      try {
        services = (
          await ctx.call(
            'pricing:DescribeServices',
            { ServiceCode: args.service_code, FormatVersion: 'aws_v1' },
            account,
          )
        ).Services;
      } catch (err) {
        if (isAwsFailure(err, 'not-found', 'invalid-request')) services = [];
        else throw err;
      }
      const service = services?.find((s) => s.ServiceCode === args.service_code);
      if (!service) {
        throw new ToolInputError(
          `Unknown Pricing service code "${args.service_code}" (codes are case-sensitive). Call ` +
            'list-pricing-attributes without service_code to list them, with search to narrow (e.g. "ec2").',
        );
      }
      all = service.AttributeNames ?? [];
    } else {
      kind = 'attribute_values';
      try {
        const r = await ctx.paginate(
          'pricing:GetAttributeValues',
          { ServiceCode: args.service_code, AttributeName: args.attribute_name, MaxResults: 100 },
          account,
          paging,
        );
        more = r.more;
        const note = r.note;
        if (note) notes.push(note);
        all = r.pages.flatMap((p) => p.AttributeValues ?? []).map((v) => v.Value ?? '');
      } catch (err) {
        if (isAwsFailure(err, 'not-found', 'invalid-request')) {
          throw new ToolInputError(
            `The Pricing API has no attribute "${args.attribute_name}" for service code "${args.service_code}" ` +
              `(${err.message}). List the attribute names with list-pricing-attributes and service_code only.`,
          );
        }
        throw err;
      }
    }

    const matched = [...new Set(all.filter((v) => v && matches(v, args.search)))].sort((a, b) =>
      a.localeCompare(b),
    );
    const shown = matched.slice(0, limit);
    const what =
      kind === 'service_codes'
        ? 'service codes'
        : kind === 'attribute_names'
          ? `attribute names of ${args.service_code}`
          : `values of ${args.service_code} ${args.attribute_name}`;
    const lines = [
      `**${matched.length} ${what}${args.search ? ` containing "${args.search}"` : ''}**` +
        (shown.length < matched.length ? ` (first ${shown.length} listed; use search to narrow):` : ':'),
      shown.join(', ') || '(none)',
    ];
    if (kind === 'service_codes') {
      lines.push(
        '',
        'Next: list-pricing-attributes with service_code to see what get-service-pricing can filter on.',
      );
    }
    return {
      text: lines.join('\n'),
      data: {
        kind,
        ...(args.service_code ? { service_code: args.service_code } : {}),
        ...(args.attribute_name ? { attribute_name: args.attribute_name } : {}),
        ...(args.search ? { search: args.search } : {}),
        matched: matched.length,
        values: shown,
        more_pages: more,
        notes,
      },
    };
  },
});
