/**
 * The CDS Hooks 2.0 service: discovery, one service per hook built from the red-flag PlanDefinition, request
 * checking, data from prefetch or fetched (sub-package {@code prefetch}; the dyad assembly is package
 * {@code org.lactationcds.dyad}, shared with {@code $apply}), evaluation per dyad member, cards with
 * evidence and suggestions ({@code card}), feedback ({@code feedback}) and CORS.
 */
package org.lactationcds.cds;
