/** Who may call the server: the start-up mode decision (open on loopback, trust or explicit opt-out elsewhere). */
package org.lactationcds.security;
