package org.lactationcds.audit;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.storage.interceptor.balp.BalpAuditCaptureInterceptor;
import org.lactationcds.security.SecurityProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The audit trail. Every interceptor here is registered with the FHIR REST server, not with the storage layer, so
 * that it sees client requests only: the server's own writes (knowledge load, the audit events themselves) are never
 * audited.
 */
@Configuration(proxyBeanMethods = false)
public class AuditConfiguration {

	@Bean
	public AuditEventStore auditEventStore(DaoRegistry daoRegistry, PlatformTransactionManager transactionManager) {
		return new AuditEventStore(daoRegistry, transactionManager);
	}

	@Bean
	public AuditTrail auditTrail(AuditEventStore store, RestfulServer fhirRestfulServer, SecurityProperties security) {
		fhirRestfulServer.registerInterceptor(new BalpAuditCaptureInterceptor(store, new AuditContext()));
		fhirRestfulServer.registerInterceptor(new AuditAccess(security.fhirIssuersConfigured()));
		AuditTrail trail = new AuditTrail(store);
		fhirRestfulServer.registerInterceptor(new OperationAudit(trail));
		return trail;
	}
}
