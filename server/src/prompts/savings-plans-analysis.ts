import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { accountIdsArg, promptText, userMessage, type PromptDefinition } from './common';

const NAME = 'savings-plans-analysis';

const DESCRIPTION =
  'Decide whether to buy a Savings Plan, which type and how much: current utilization and coverage, usage trend, ' +
  'and AWS purchase recommendations with savings and break-even.';

export const savingsPlansAnalysisPrompt: PromptDefinition = {
  name: NAME,
  register(server: McpServer) {
    server.registerPrompt(
      NAME,
      {
        title: 'Savings Plans analysis',
        description: DESCRIPTION,
        argsSchema: {
          account_ids: accountIdsArg,
          term: z
            .enum(['ONE_YEAR', 'THREE_YEARS'])
            .optional()
            .describe('Commitment term to evaluate; default ONE_YEAR.'),
          payment_option: z
            .enum(['NO_UPFRONT', 'PARTIAL_UPFRONT', 'ALL_UPFRONT'])
            .optional()
            .describe('Payment option to evaluate; default NO_UPFRONT.'),
          lookback: z
            .enum(['SEVEN_DAYS', 'THIRTY_DAYS', 'SIXTY_DAYS'])
            .optional()
            .describe('Usage history the recommendations are based on; default THIRTY_DAYS.'),
        },
      },
      (args) => {
        const term = args.term ?? 'ONE_YEAR';
        const payment = args.payment_option ?? 'NO_UPFRONT';
        const lookback = args.lookback ?? 'THIRTY_DAYS';
        const purchase = `term "${term}", payment_option "${payment}", lookback "${lookback}"`;
        const text = promptText({
          task: 'Analyse Savings Plans for AWS spend and recommend whether to buy one, which type, and how much to commit.',
          accountIds: args.account_ids,
          steps: [
            '1. Existing commitments: call `get-savings-plans-utilization` with period "last_3_months" and ' +
              'include_details true. Note the utilization % and unused commitment per plan; unused commitment means ' +
              'more would be wasted too.',
            '2. On-demand exposure: call `get-savings-plans-coverage` with period "last_month" and group_by "SERVICE". ' +
              'The on-demand spend per service is what a new plan could cover.',
            '3. Reservations: call `get-reservation-coverage` (period "last_month") and `get-reservation-utilization` ' +
              '(period "last_month"), so the recommendation does not double-commit usage that reservations already ' +
              'cover.',
            '4. Trend: call `get-cost-and-usage` with period "last_6_months", granularity "MONTHLY" and group_by ' +
              '[{"type":"DIMENSION","key":"SERVICE"}]. Is the eligible compute spend (EC2, Fargate, Lambda, SageMaker) ' +
              'stable, growing or shrinking? Committing to shrinking usage wastes money.',
            `5. Recommendations: call \`get-purchase-recommendations\` with kind "SAVINGS_PLANS", savings_plans_type ` +
              `"COMPUTE_SP" and ${purchase}; then again with savings_plans_type "EC2_INSTANCE_SP" and the same options. ` +
              'Compare estimated monthly savings, savings %, upfront cost and break-even months.',
          ],
          answerHeading: 'Answer with:',
          answer: [
            '- A recommendation: buy or not; Compute or EC2 Instance Savings Plan; the hourly commitment (say so if you ' +
              'advise committing less than AWS recommends because usage is shrinking).',
            '- Expected monthly savings, savings %, upfront cost and break-even, from step 5.',
            '- Current state: utilization and coverage from steps 1–3.',
            '- Risks: declining usage, planned migrations (e.g. to Graviton, which Compute Savings Plans follow but ' +
              'EC2 Instance Savings Plans and standard reservations do not).',
          ],
        });
        return userMessage(DESCRIPTION, text);
      },
    );
  },
};
