import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/**
 * What the prompts share. MCP prompt arguments are strings on the wire, so lists are comma-separated strings and
 * choices are string enums; each is validated here, before the prompt renders.
 */

export const accountIdsArg = z
  .string()
  .regex(
    /^\s*\d{12}(\s*,\s*\d{12})*\s*$/,
    'account_ids must be 12-digit AWS account ids separated by commas, e.g. "111111111111,222222222222"',
  )
  .optional()
  .describe(
    'Comma-separated 12-digit AWS account ids to analyse, e.g. "111111111111,222222222222". Omit for the ' +
      'account the server runs in.',
  );

/** The account ids of a comma-separated argument, de-duplicated, in order. */
export function parseAccountIds(value: string | undefined): string[] {
  if (!value) return [];
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** How the steps should treat accounts: once with no target_account_id, or once per listed account. */
export function accountsInstruction(accounts: readonly string[]): string {
  if (accounts.length === 0) {
    return 'Analyse the account the server runs in: omit target_account_id everywhere.';
  }
  if (accounts.length === 1) {
    return `Analyse account ${accounts[0]}: pass target_account_id "${accounts[0]}" to every tool that takes it.`;
  }
  return (
    `Analyse each of these accounts: ${accounts.join(', ')}. Run every step once per account, passing its id as ` +
    'target_account_id to every tool that takes it; where a tool accepts target_account_ids, pass the whole list ' +
    `in one call instead (${JSON.stringify(accounts)}). Report per account before summing up across them.`
  );
}

/** Rules every prompt ends with, so answers stay grounded in what the tools returned. */
export const GROUNDING_RULES = [
  'Rules:',
  '- Use the figures exactly as the tools return them (they are computed server-side with exact decimals); when ' +
    'you derive a figure yourself, show the calculation.',
  '- Quote the date range and account of every figure; the tools echo both.',
  '- If a tool answers with an error, say what it said (it names the fix, e.g. a missing permission or an ' +
    'account not enrolled) and carry on with the other steps.',
  '- Every tool is read-only; never suggest that you changed anything.',
].join('\n');

/**
 * The text every prompt renders, in one order: the task, which accounts to analyse, the numbered steps, what the
 * answer should contain, and the grounding rules.
 */
export function promptText(parts: {
  readonly task: string;
  /** The prompt's comma-separated account_ids argument. */
  readonly accountIds: string | undefined;
  readonly steps: readonly string[];
  /** The line introducing the answer, e.g. "Answer with:". */
  readonly answerHeading: string;
  readonly answer: readonly string[];
}): string {
  return [
    parts.task,
    accountsInstruction(parseAccountIds(parts.accountIds)),
    '',
    'Steps:',
    ...parts.steps,
    '',
    parts.answerHeading,
    ...parts.answer,
    '',
    GROUNDING_RULES,
  ].join('\n');
}

/** A single user message carrying the prompt text. */
export function userMessage(description: string, text: string): GetPromptResult {
  return { description, messages: [{ role: 'user', content: { type: 'text', text } }] };
}

/** Prompts that steer a model through the tools for common FinOps questions. */
export interface PromptDefinition {
  readonly name: string;
  register(server: McpServer): void;
}
