/**
 * Knowledge publishing as a governed operation: who may write the knowledge, the whole-set check a publish must pass,
 * the record of published versions, and roll-back.
 */
package org.lactationcds.governance;
