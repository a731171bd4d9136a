import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { accountIdsArg, promptText, userMessage, type PromptDefinition } from './common';

const NAME = 'graviton-migration-analysis';

const DESCRIPTION =
  'Estimate what moving x86 EC2 (and optionally RDS) instances to AWS Graviton would save: current spend by ' +
  'instance type, Compute Optimizer findings, list prices of x86 versus Graviton types, and commitment blockers.';

export const gravitonMigrationAnalysisPrompt: PromptDefinition = {
  name: NAME,
  register(server: McpServer) {
    server.registerPrompt(
      NAME,
      {
        title: 'Graviton migration analysis',
        description: DESCRIPTION,
        argsSchema: {
          account_ids: accountIdsArg,
          region: z
            .string()
            .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'region must be an AWS region code such as us-east-1')
            .optional()
            .describe('AWS region code to analyse, e.g. "us-east-1"; default the server’s region.'),
          include_rds: z
            .enum(['true', 'false'])
            .optional()
            .describe('"true" to analyse RDS database instances as well as EC2; default "false".'),
        },
      },
      (args) => {
        const region = args.region;
        const regionArg = region ? `region "${region}"` : 'the default region (omit region)';
        const regionFilter = region ? `, {"type":"DIMENSION","key":"REGION","values":["${region}"]}` : '';
        const steps = [
          '1. Where the x86 spend is: call `get-cost-and-usage` with period "last_month", group_by ' +
            '[{"type":"DIMENSION","key":"INSTANCE_TYPE"}] and filters [{"type":"DIMENSION","key":"SERVICE",' +
            `"values":["Amazon Elastic Compute Cloud - Compute"]}${regionFilter}]. Keep the x86 types (families ` +
            'without a "g" after the generation digit, e.g. m5, c6i, r5a, t3) with the most spend.',
          `2. What Compute Optimizer suggests: call \`get-compute-optimizer-recommendations\` with resource_type ` +
            `"EC2_INSTANCE" and ${regionArg}. Note every instance for which a Graviton type (m7g, c7g, r7g, m8g, ` +
            't4g…) is among the options, with its performance risk and estimated savings.',
          '3. Prices: for each of the top five x86 types, call `get-service-pricing` with service_code "AmazonEC2", ' +
            `${regionArg}, and filters instanceType = <type>, operatingSystem = Linux, tenancy = Shared, ` +
            'preInstalledSw = NA, capacitystatus = Used; then the same for its Graviton counterpart of the same size ' +
            '(m5.xlarge → m7g.xlarge, c5.2xlarge → c7g.2xlarge, r5.large → r7g.large). If a value is not found, look ' +
            'it up with `list-pricing-attributes`.',
        ];
        if (args.include_rds === 'true') {
          steps.push(
            '4. RDS: call `get-cost-and-usage` as in step 1 with the SERVICE value "Amazon Relational Database ' +
              'Service"; `get-compute-optimizer-recommendations` with resource_type "RDS_DATABASE"; and ' +
              '`get-service-pricing` with service_code "AmazonRDS" (filters instanceType, databaseEngine, ' +
              'deploymentOption) for the current and the Graviton class (db.r5.large → db.r7g.large).',
          );
        }
        steps.push(
          `${steps.length + 1}. Commitments that a migration would strand: call \`get-reservation-utilization\` with ` +
            'group_by "SUBSCRIPTION_ID" (standard EC2 reservations are tied to an instance family) and ' +
            '`get-savings-plans-utilization` with include_details true (Compute Savings Plans follow the move; EC2 ' +
            'Instance Savings Plans are tied to a family).',
        );
        const text = promptText({
          task: 'Analyse how much moving to AWS Graviton (ARM64) instances would save, and what stands in the way.',
          accountIds: args.account_ids,
          steps: steps,
          answerHeading: 'Answer with:',
          answer: [
            '- A table: current type → Graviton type, last month’s cost of the current type, on-demand USD per hour ' +
              'of each (from `get-service-pricing`), and the estimated monthly saving = (x86 price − Graviton price) × ' +
              'hours run, with the calculation shown.',
            '- The total estimated monthly saving, labelled as an estimate at on-demand list prices.',
            '- Blockers: reservations or EC2 Instance Savings Plans tied to x86 families (and when they end), software ' +
              'that needs x86, and Compute Optimizer performance risks.',
            '- A migration order, lowest risk and highest saving first.',
          ],
        });
        return userMessage(DESCRIPTION, text);
      },
    );
  },
};
