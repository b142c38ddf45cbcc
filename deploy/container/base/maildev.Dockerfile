# MailDev from npm, speaking what compose.yml expects of its mail catcher (MailSlurper's image:
# SMTP with implicit TLS and a self-signed certificate on 1025, web UI on 4436, wget for the health
# check), for the locally built stack (deploy/container/images.sh; compose.yml takes it as
# MAILSLURPER_IMAGE). Its REST API is on the web port under /api, as with `octl deploy`.
ARG NODE_IMAGE=olympus-local/node:20.20.2-bookworm-slim
FROM ${NODE_IMAGE}
ARG MAILDEV_VERSION
RUN npm install --global --no-audit --no-fund "maildev@${MAILDEV_VERSION}" \
 && mkdir -p /etc/maildev \
 && openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=mailslurper \
      -keyout /etc/maildev/key.pem -out /etc/maildev/cert.pem 2>/dev/null \
 && chmod 644 /etc/maildev/key.pem
USER node
EXPOSE 1025 4436
# SMTP auth as compose.yml's connection URI sends it (test:test), as MailSlurper accepts it.
CMD ["maildev", "--smtp", "1025", "--web", "4436", "--incoming-secure", \
     "--incoming-cert", "/etc/maildev/cert.pem", "--incoming-key", "/etc/maildev/key.pem", \
     "--incoming-user", "test", "--incoming-pass", "test"]
