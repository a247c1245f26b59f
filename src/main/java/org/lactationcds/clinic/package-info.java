/** Clinics: the visit Questionnaire's prefill ({@code $populate}), its extraction to Observations ({@code $submit-visit}), and the browser app with its SMART EHR launch and the dyad view's cards. */
package org.lactationcds.clinic;
