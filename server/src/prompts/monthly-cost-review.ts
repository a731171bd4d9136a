import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { accountIdsArg, promptText, userMessage, type PromptDefinition } from './common';

const NAME = 'monthly-cost-review';

const DESCRIPTION =
  'A monthly FinOps review of one month: spend versus the month before and why, anomalies, budgets, commitment ' +
  'utilization, savings opportunities and the outlook for the current month.';

/** `YYYY-MM` plus `months` months, without a clock: the prompt renders the same for the same arguments. */
function shiftMonth(month: string, months: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + months, 1));
  return d.toISOString().slice(0, 7);
}

export const monthlyCostReviewPrompt: PromptDefinition = {
  name: NAME,
  register(server: McpServer) {
    server.registerPrompt(
      NAME,
      {
        title: 'Monthly cost review',
        description: DESCRIPTION,
        argsSchema: {
          month: z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM, e.g. 2026-10')
            .optional()
            .describe(
              'Month to review as YYYY-MM, e.g. "2026-10"; default last month (the last complete one).',
            ),
          account_ids: accountIdsArg,
        },
      },
      (args) => {
        const month = args.month;
        const months = month
          ? `baseline_month "${shiftMonth(month, -1)}" and comparison_month "${month}"`
          : 'no months (the defaults compare last month with the month before)';
        const range = month
          ? `start_date "${month}-01" and end_date "${shiftMonth(month, 1)}-01"`
          : 'period "last_month"';
        const label = month ?? 'last month';
        const text = promptText({
          task: `Prepare a monthly cost review of ${label} for AWS spend.`,
          accountIds: args.account_ids,
          steps: [
            `1. Headline: call \`compare-costs\` with ${months}. Note the total, the change and the top movers by ` +
              'service.',
            `2. Why: call \`get-cost-drivers\` with the same months and explain the three largest drivers (usage ` +
              'change, Savings Plans or reservation effects, credits).',
            `3. Anomalies: call \`get-anomalies\` with ${range}; list each with its impact and root cause.`,
            '4. Budgets: call `get-budgets`; flag exceeded and forecast-to-exceed budgets.',
            `5. Commitments: call \`get-savings-plans-utilization\` and \`get-reservation-utilization\` with ${range} ` +
              `for unused commitment, and \`get-savings-plans-coverage\` with ${range} for on-demand exposure.`,
            '6. Opportunities: call `get-purchase-recommendations` (kind "SAVINGS_PLANS") and ' +
              '`list-cost-optimization-recommendations`; keep the five largest estimated monthly savings.',
            '7. Outlook: call `get-cost-forecast` for the rest of the current month.',
          ],
          answerHeading: 'Answer as a short report:',
          answer: [
            '- Executive summary: three bullets (spend and change, the main reason, the top action).',
            '- Spend versus the previous month, with the top movers table from step 1.',
            '- Why it changed (step 2) and anomalies (step 3).',
            '- Budgets (step 4) and commitments (step 5).',
            '- Top five actions with their estimated monthly savings (step 6), and the month-end outlook (step 7).',
          ],
        });
        return userMessage(DESCRIPTION, text);
      },
    );
  },
};
