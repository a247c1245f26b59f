/** Who is calling: the one place governance and audit read the authenticated caller from. */
package org.lactationcds.caller;
