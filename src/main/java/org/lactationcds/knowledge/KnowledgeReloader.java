package org.lactationcds.knowledge;

import ca.uhn.fhir.jpa.cache.IResourceChangeEvent;
import ca.uhn.fhir.jpa.cache.IResourceChangeListener;
import ca.uhn.fhir.jpa.cache.IResourceChangeListenerRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import java.util.Collection;
import org.hl7.fhir.instance.model.api.IIdType;

/**
 * Rebuilds the running knowledge when knowledge resources change in the store. HAPI's change listeners see a change
 * made through this instance at their next refresh and one made through another instance on the same database by
 * polling it, both within about ten seconds.
 */
public class KnowledgeReloader implements IResourceChangeListener {

	private static final long POLL_INTERVAL_MS = 2_000;

	private final KnowledgeLoader loader;

	public KnowledgeReloader(KnowledgeLoader loader, IResourceChangeListenerRegistry registry) {
		this.loader = loader;
		for (String type : KnowledgeStoreReader.KNOWLEDGE_TYPES) {
			registry.registerResourceResourceChangeListener(type, SearchParameterMap.newSynchronous(), this, POLL_INTERVAL_MS);
		}
	}

	@Override
	public void handleInit(Collection<IIdType> resourceIds) {
		// The loader builds the first snapshot itself at start-up.
	}

	@Override
	public void handleChange(IResourceChangeEvent event) {
		if (!event.isEmpty()) {
			loader.refreshSoon();
		}
	}
}
