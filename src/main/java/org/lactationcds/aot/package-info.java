/** The training run that records the JDK's ahead-of-time cache (JDK 25: JEP 483, 514, 515) for fast starts. */
package org.lactationcds.aot;
