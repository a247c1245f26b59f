/** Clinics: the visit Questionnaire's extraction to Observations ({@code $submit-visit}) and the browser app. */
package org.lactationcds.clinic;
