/** PlanDefinition evaluation through the CQF clinical-reasoning engine, on the request's data only. */
package org.lactationcds.evaluation;
