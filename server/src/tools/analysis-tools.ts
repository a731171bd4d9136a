import { compareCostsTool } from './compare-costs';
import { getAnomaliesTool } from './get-anomalies';
import { getBudgetsTool } from './get-budgets';
import { getCostDriversTool } from './get-cost-drivers';
import { getPurchaseRecommendationsTool } from './get-purchase-recommendations';
import { getReservationCoverageTool } from './get-reservation-coverage';
import { getReservationUtilizationTool } from './get-reservation-utilization';
import { getSavingsPlansCoverageTool } from './get-savings-plans-coverage';
import { getSavingsPlansUtilizationTool } from './get-savings-plans-utilization';
import type { ToolDefinition } from './types';

/** Comparisons, cost drivers, anomalies, budgets, reservations and Savings Plans, purchase recommendations. */
export const ANALYSIS_TOOLS = [
  compareCostsTool,
  getCostDriversTool,
  getAnomaliesTool,
  getBudgetsTool,
  getReservationCoverageTool,
  getReservationUtilizationTool,
  getSavingsPlansCoverageTool,
  getSavingsPlansUtilizationTool,
  getPurchaseRecommendationsTool,
] as unknown as readonly ToolDefinition[];
