/** Shapes of the AWS Free Tier API (JSON 1.0, target prefix AWSFreeTierService), which has no SDK client here. */
export interface FreeTierExpression {
  Or?: FreeTierExpression[];
  And?: FreeTierExpression[];
  Not?: FreeTierExpression;
  Dimensions?: { Key: string; Values: string[]; MatchOptions: string[] };
}
export interface GetFreeTierUsageInput {
  filter?: FreeTierExpression;
  maxResults?: number;
  nextToken?: string;
}
export interface FreeTierUsage {
  service?: string;
  operation?: string;
  usageType?: string;
  region?: string;
  actualUsageAmount?: number;
  forecastedUsageAmount?: number;
  limit?: number;
  unit?: string;
  description?: string;
  freeTierType?: string;
}
export interface GetFreeTierUsageOutput {
  freeTierUsages?: FreeTierUsage[];
  nextToken?: string;
}
