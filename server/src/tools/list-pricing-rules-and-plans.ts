import { table, accountLabel } from '../billing/format';
import { amount, exact } from '../billing/money';
import { looseRows, targetAccountId } from './lib/params';
import { billingPeriod, byName, maxResults, NEXT_TOKEN, resolveBillingPeriod } from './lib/optimization';
import { defineTool } from './lib/types';

const DEFAULT_LIMIT = 25;
/** Plans whose rules are looked up (one request each); the rest are listed without their rules. */
const PLANS_WITH_RULES = 20;

/** list-pricing-rules-and-plans: Billing Conductor pricing plans and rules. */
export const listPricingRulesAndPlansTool = defineTool({
  name: 'list-pricing-rules-and-plans',
  title: 'List pricing plans and rules',
  description:
    'Billing Conductor pricing plans and rules (markup, discount or tiering; scope; %) of a month ' +
    '(default: this one). Ask the payer account.',
  inputSchema: {
    target_account_id: targetAccountId,
    billing_period: billingPeriod,
    max_results: maxResults(DEFAULT_LIMIT, 100, 'plans and rules each'),
  },
  outputSchema: {
    pricing_rules: looseRows(),
  },
  operations: [
    'billingconductor:ListPricingPlans',
    'billingconductor:ListPricingRules',
    'billingconductor:ListPricingRulesAssociatedToPricingPlan',
    'sts:GetCallerIdentity',
  ],
  async handler(args, ctx) {
    const limit = args.max_results ?? DEFAULT_LIMIT;
    const period = resolveBillingPeriod(args.billing_period, ctx.now);
    const account = await ctx.account(args.target_account_id);
    const notes: string[] = [];

    const [plansRead, rulesRead] = await Promise.all([
      ctx.paginate('billingconductor:ListPricingPlans', { BillingPeriod: period }, account, NEXT_TOKEN),
      ctx.paginate('billingconductor:ListPricingRules', { BillingPeriod: period }, account, NEXT_TOKEN),
    ]);
    for (const r of [plansRead, rulesRead]) if (r.note) notes.push(r.note);
    const plans = plansRead.pages.flatMap((p) => p.PricingPlans ?? []).sort(byName);
    const rules = rulesRead.pages.flatMap((p) => p.PricingRules ?? []).sort(byName);
    const ruleNames = new Map(rules.map((r) => [r.Arn ?? '', r.Name ?? '']));
    const shownPlans = plans.slice(0, limit);
    const shownRules = rules.slice(0, limit);

    let more = plansRead.more || rulesRead.more;
    const planRules = new Map<string, string[]>();
    const lookups = shownPlans.slice(0, PLANS_WITH_RULES).filter((p) => p.Arn);
    await Promise.all(
      lookups.map(async (plan) => {
        const r = await ctx.paginate(
          'billingconductor:ListPricingRulesAssociatedToPricingPlan',
          { PricingPlanArn: plan.Arn, BillingPeriod: period },
          account,
          NEXT_TOKEN,
        );
        more ||= r.more;
        planRules.set(
          plan.Arn!,
          r.pages
            .flatMap((p) => p.PricingRuleArns ?? [])
            .map((arn) => ruleNames.get(arn) || arn.split('/').pop() || arn)
            .sort((a, b) => a.localeCompare(b)),
        );
      }),
    );
    if (shownPlans.length > PLANS_WITH_RULES) {
      notes.push(`Rules are listed for the first ${PLANS_WITH_RULES} plans only.`);
    }

    const lines: string[] = [];
    if (plans.length === 0 && rules.length === 0) {
      lines.push(
        `No Billing Conductor pricing plans or rules in ${period} for account ${accountLabel(account)} (Billing ` +
          'Conductor is configured in the management account of an organization).',
      );
    } else {
      lines.push(
        `**${plans.length} pricing plan(s) and ${rules.length} pricing rule(s) in ${period} for account ` +
          `${accountLabel(account)}.**`,
      );
      if (shownPlans.length) {
        lines.push(
          '',
          table(
            ['Pricing plan', 'Rules'],
            shownPlans.map((p) => [
              p.Name ?? '',
              (planRules.get(p.Arn ?? '') ?? []).join(', ') || String(p.Size ?? ''),
            ]),
          ),
        );
      }
      if (shownRules.length) {
        lines.push(
          '',
          table(
            ['Pricing rule', 'Type', 'Scope', 'Modifier %', 'Applies to'],
            shownRules.map((r) => [
              r.Name ?? '',
              r.Type ?? '',
              r.Scope ?? '',
              r.ModifierPercentage !== undefined ? exact(amount(r.ModifierPercentage)) : '-',
              [r.Service, r.BillingEntity, r.UsageType, r.Operation].filter(Boolean).join(' / ') ||
                'everything',
            ]),
          ),
        );
      }
      if (shownPlans.length < plans.length || shownRules.length < rules.length) {
        lines.push(
          `(Listed ${shownPlans.length} of ${plans.length} plans and ${shownRules.length} of ${rules.length} rules.)`,
        );
      }
    }
    return {
      text: lines.join('\n'),
      data: {
        account_id: account.accountId,
        billing_period: period,
        pricing_plans: shownPlans.map((p) => ({
          name: p.Name ?? '',
          arn: p.Arn ?? '',
          ...(p.Description ? { description: p.Description } : {}),
          ...(p.Size !== undefined ? { size: p.Size } : {}),
          ...(planRules.has(p.Arn ?? '') ? { rule_names: planRules.get(p.Arn ?? '') } : {}),
        })),
        pricing_rules: shownRules.map((r) => ({
          name: r.Name ?? '',
          arn: r.Arn ?? '',
          ...(r.Type ? { type: r.Type } : {}),
          ...(r.Scope ? { scope: r.Scope } : {}),
          ...(r.ModifierPercentage !== undefined
            ? { modifier_percentage: exact(amount(r.ModifierPercentage)) }
            : {}),
          ...(r.Service ? { service: r.Service } : {}),
          ...(r.BillingEntity ? { billing_entity: r.BillingEntity } : {}),
          ...(r.UsageType ? { usage_type: r.UsageType } : {}),
          ...(r.Operation ? { operation: r.Operation } : {}),
          ...(r.Tiering?.FreeTier?.Activated !== undefined
            ? { free_tier_activated: r.Tiering.FreeTier.Activated }
            : {}),
          ...(r.AssociatedPricingPlanCount !== undefined
            ? { associated_plan_count: r.AssociatedPricingPlanCount }
            : {}),
          ...(r.Description ? { description: r.Description } : {}),
        })),
        plan_count: plans.length,
        rule_count: rules.length,
        more_pages: more,
        notes,
      },
    };
  },
});
