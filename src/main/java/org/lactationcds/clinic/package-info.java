/** Clinics: the visit Questionnaire's prefill ({@code $populate}), its extraction to Observations ({@code $submit-visit}) and the browser app. */
package org.lactationcds.clinic;
