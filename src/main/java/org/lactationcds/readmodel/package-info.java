/** The CDS path's read model: a patient's parsed data kept per instance, checked against a per-patient data version. */
package org.lactationcds.readmodel;
