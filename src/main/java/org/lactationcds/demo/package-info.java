/** Demo dyads from {@code fhir-resources/examples/}, dated relative to today, for a first look at the cards. */
package org.lactationcds.demo;
