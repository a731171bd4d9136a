/** Shapes of the AWS Billing and Cost Management Pricing Calculator API (JSON 1.0), which has no SDK client here. */
export interface ListWorkloadEstimatesInput {
  createdAtFilter?: { afterTimestamp?: number; beforeTimestamp?: number };
  expiresAtFilter?: { afterTimestamp?: number; beforeTimestamp?: number };
  filters?: { name: string; values: string[]; matchOption?: string }[];
  nextToken?: string;
  maxResults?: number;
}
export interface WorkloadEstimateSummary {
  id: string;
  name?: string;
  createdAt?: number;
  expiresAt?: number;
  rateType?: string;
  rateTimestamp?: number;
  status?: string;
  totalCost?: number;
  costCurrency?: string;
  failureMessage?: string;
}
export interface ListWorkloadEstimatesOutput {
  items?: WorkloadEstimateSummary[];
  nextToken?: string;
}
export interface GetWorkloadEstimateInput {
  identifier: string;
}
export type GetWorkloadEstimateOutput = WorkloadEstimateSummary;
export interface ListWorkloadEstimateUsageInput {
  workloadEstimateId: string;
  filters?: { name: string; values: string[]; matchOption?: string }[];
  nextToken?: string;
  maxResults?: number;
}
export interface WorkloadEstimateUsageItem {
  serviceCode?: string;
  usageType?: string;
  operation?: string;
  location?: string;
  id?: string;
  usageAccountId?: string;
  group?: string;
  quantity?: { amount?: number; unit?: string };
  cost?: number;
  currency?: string;
  status?: string;
  historicalUsage?: unknown;
}
export interface ListWorkloadEstimateUsageOutput {
  items?: WorkloadEstimateUsageItem[];
  nextToken?: string;
}
