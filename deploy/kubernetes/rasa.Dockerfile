# The Rasa image for Kubernetes (deploy/kubernetes, image name vraagbaak-rasa): the official
# rasa/rasa:3.6.21 with what docker-compose.yml mounts into it from the checkout, since a cluster
# has no checkout: bot/ at /bot (the training data and bot/components, the NLU's normaliser) and
# our package at /app/vraagbaak (the normaliser imports vraagbaak.i18n.normalize; Rasa starts
# through vraagbaak.runtime.rasa_entry). The model is not inside: the Job train writes it to a
# volume. Build from the repository's root, with the same tag as our image:
#
#   docker build -f deploy/kubernetes/rasa.Dockerfile -t REGISTRY/vraagbaak-rasa:VERSION .
FROM rasa/rasa:3.6.21
# Only what Rasa reads: not bot/.rasa (a developer's training cache) nor bot/tests.
COPY bot/config.yml bot/domain.yml bot/credentials.yml /bot/
COPY bot/components /bot/components
COPY bot/data /bot/data
COPY vraagbaak /app/vraagbaak
ENV PYTHONPATH=/app:/bot \
    PYTHONDONTWRITEBYTECODE=1 \
    RASA_TELEMETRY_ENABLED=false
WORKDIR /app
USER 1001
