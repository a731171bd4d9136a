import { z } from 'zod';
import { ToolInputError } from '../billing/errors';
import { table } from '../billing/format';
import { amount, exact } from '../billing/money';
import { isAwsFailure, region } from './lib/optimization';
import { looseRows } from './lib/params';
import { defineTool } from './lib/types';
import { AWS_LIMITS, boundedString } from './lib/bounds';

const DEFAULT_PRODUCTS = 10;
const MAX_PRODUCTS = 100;
/** Reserved terms multiply the dimensions per product; this bounds the answer whatever the filters. */
const MAX_DIMENSIONS = 100;
const TEXT_ROWS = 40;

/** Price terms get-service-pricing lists. */
export const TERM_TYPES = ['OnDemand', 'Reserved', 'All'] as const;

interface PriceDimension {
  sku: string;
  term: string;
  unit: string;
  price: string;
  currency: string;
  description: string;
  begin_range?: string;
  end_range?: string;
  lease_contract_length?: string;
  purchase_option?: string;
  offering_class?: string;
}

interface Product {
  sku: string;
  product_family?: string;
  attributes: Record<string, string>;
}

interface PriceListItem {
  product?: { sku?: string; productFamily?: string; attributes?: Record<string, string> };
  terms?: Record<
    string,
    Record<
      string,
      {
        termAttributes?: Record<string, string>;
        priceDimensions?: Record<
          string,
          {
            unit?: string;
            description?: string;
            beginRange?: string;
            endRange?: string;
            pricePerUnit?: Record<string, string>;
          }
        >;
      }
    >
  >;
}

/**
 * The Pricing API returns each product as a JSON document in a string (the SDK may hand it over as a string or a
 * lazily parsed wrapper); this reads both.
 */
export function parsePriceListItem(raw: unknown): PriceListItem | undefined {
  if (typeof raw === 'object' && raw !== null && raw.toString === Object.prototype.toString) {
    return raw as PriceListItem;
  }
  try {
    return JSON.parse(String(raw)) as PriceListItem;
  } catch {
    return undefined;
  }
}

/** The price dimensions of one product, prices kept as exact decimals. */
export function priceDimensions(
  item: PriceListItem,
  termType: (typeof TERM_TYPES)[number],
): PriceDimension[] {
  const sku = item.product?.sku ?? '';
  const out: PriceDimension[] = [];
  for (const [term, offers] of Object.entries(item.terms ?? {})) {
    if (termType !== 'All' && term !== termType) continue;
    for (const offer of Object.values(offers ?? {})) {
      const attrs = offer.termAttributes ?? {};
      for (const dim of Object.values(offer.priceDimensions ?? {})) {
        const prices = dim.pricePerUnit ?? {};
        const currency = 'USD' in prices ? 'USD' : (Object.keys(prices)[0] ?? 'USD');
        out.push({
          sku,
          term,
          unit: dim.unit ?? '',
          price: exact(amount(prices[currency])),
          currency,
          description: dim.description ?? '',
          ...(dim.beginRange !== undefined ? { begin_range: dim.beginRange } : {}),
          ...(dim.endRange !== undefined ? { end_range: dim.endRange } : {}),
          ...(attrs.LeaseContractLength ? { lease_contract_length: attrs.LeaseContractLength } : {}),
          ...(attrs.PurchaseOption ? { purchase_option: attrs.PurchaseOption } : {}),
          ...(attrs.OfferingClass ? { offering_class: attrs.OfferingClass } : {}),
        });
      }
    }
  }
  return out;
}

function unknownServiceCode(code: string): ToolInputError {
  return new ToolInputError(
    `Unknown Pricing service code "${code}". Service codes are case-sensitive, e.g. AmazonEC2, AmazonS3, AWSLambda, ` +
      'AmazonRDS: call list-pricing-attributes without arguments to list them all (with search to narrow).',
  );
}

/** get-service-pricing: public list prices (Pricing GetProducts) as compact price dimensions. */
export const getServicePricingTool = defineTool({
  name: 'get-service-pricing',
  title: 'Get AWS service pricing',
  description:
    'Public list prices (Pricing API) of one service code, filtered by attributes (e.g. instanceType ' +
    'm7g.large). Takes no target_account_id; attributes: list-pricing-attributes.',
  inputSchema: {
    service_code: z.string().min(1).max(100).describe('Case-sensitive, e.g. AmazonEC2, AWSLambda.'),
    filters: z
      .array(
        z.object({
          field: boundedString('filters field', AWS_LIMITS.pricingFilterValue).min(1),
          value: boundedString('filters value', AWS_LIMITS.pricingFilterValue),
        }),
      )
      .max(20)
      .optional()
      .describe('Exact {field, value} matches, ANDed, e.g. instanceType m7g.large.'),
    region,
    term_type: z.enum(TERM_TYPES).optional().describe('Default OnDemand.'),
    max_results: z
      .number()
      .int()
      .min(1)
      .max(MAX_PRODUCTS)
      .optional()
      .describe(`Products (SKUs) read; default ${DEFAULT_PRODUCTS}.`),
  },
  outputSchema: {
    price_dimensions: looseRows(),
  },
  operations: ['pricing:GetProducts', 'sts:GetCallerIdentity'],
  async handler(args, ctx) {
    const limit = args.max_results ?? DEFAULT_PRODUCTS;
    const termType = args.term_type ?? 'OnDemand';
    const filters = [...(args.filters ?? [])];
    if (args.region && !filters.some((f) => f.field === 'regionCode')) {
      filters.push({ field: 'regionCode', value: args.region });
    }
    // Prices are public: the own account's credentials read them, whichever account the caller works in.
    const account = await ctx.account(undefined);
    const products: Product[] = [];
    const dimensions: PriceDimension[] = [];
    let more = false;
    const notes: string[] = [];
    try {
      const { pages, incomplete } = await ctx.paginate(
        'pricing:GetProducts',
        {
          ServiceCode: args.service_code,
          FormatVersion: 'aws_v1',
          Filters: filters.map((f) => ({ Type: 'TERM_MATCH', Field: f.field, Value: f.value })),
          MaxResults: Math.min(limit, 100),
        },
        account,
        { inputToken: 'NextToken', outputToken: 'NextToken', maxPages: Math.ceil(limit / 100) },
      );
      const note = incomplete;
      if (note) notes.push(note);
      const items = pages.flatMap((p) => (Array.isArray(p.PriceList) ? (p.PriceList as unknown[]) : []));
      more = Boolean(pages[pages.length - 1]?.NextToken) || items.length > limit;
      for (const raw of items.slice(0, limit)) {
        const item = parsePriceListItem(raw);
        if (!item) continue;
        products.push({
          sku: item.product?.sku ?? '',
          ...(item.product?.productFamily ? { product_family: item.product.productFamily } : {}),
          attributes: item.product?.attributes ?? {},
        });
        dimensions.push(...priceDimensions(item, termType));
      }
    } catch (err) {
      if (isAwsFailure(err, 'not-found')) throw unknownServiceCode(args.service_code);
      if (isAwsFailure(err, 'invalid-request')) {
        if (/service ?code/i.test(err.message)) throw unknownServiceCode(args.service_code);
        throw new ToolInputError(
          `${err.message} Check attribute names and values with list-pricing-attributes ` +
            `(service_code ${args.service_code}).`,
        );
      }
      throw err;
    }

    const shownDimensions = dimensions.slice(0, MAX_DIMENSIONS);
    if (dimensions.length > shownDimensions.length) {
      notes.push(
        `${dimensions.length} price dimensions matched; the first ${MAX_DIMENSIONS} are listed. Add filters ` +
          '(e.g. operatingSystem, tenancy, preInstalledSw, capacitystatus) to narrow.',
      );
    }
    if (more) notes.push(`More than ${products.length} products match; add filters to narrow.`);

    const filterText = filters.length ? filters.map((f) => `${f.field}=${f.value}`).join(', ') : 'no filters';
    const lines: string[] = [];
    if (products.length === 0) {
      lines.push(
        `No ${args.service_code} products match ${filterText}. Attribute values must match exactly: check them ` +
          `with list-pricing-attributes (service_code ${args.service_code}, attribute_name …).`,
      );
    } else {
      lines.push(
        `**${args.service_code} list prices (${termType === 'All' ? 'all terms' : termType}), ${filterText}: ` +
          `${products.length} product(s), ${dimensions.length} price dimension(s).**`,
      );
      const rows = shownDimensions
        .slice(0, TEXT_ROWS)
        .map((d) => [
          d.sku,
          d.term +
            (d.lease_contract_length ? ` ${d.lease_contract_length}` : '') +
            (d.purchase_option ? ` ${d.purchase_option}` : ''),
          `${d.price} ${d.currency}`,
          d.unit,
          d.description,
        ]);
      lines.push('', table(['SKU', 'Term', 'Price', 'Unit', 'Description'], rows));
      if (shownDimensions.length > TEXT_ROWS) {
        lines.push(`(${shownDimensions.length - TEXT_ROWS} more dimensions in the structured answer.)`);
      }
    }
    return {
      text: lines.join('\n'),
      data: {
        service_code: args.service_code,
        filters,
        term_type: termType,
        products,
        price_dimensions: shownDimensions,
        more_products: more,
        notes,
      },
    };
  },
});
