"""The consent texts, per purpose and version, in the three languages of the product.

A consent proves what the person agreed to only with the text they saw (LGPD art. 8 §2 and §4: consent refers to
specific purposes), so each grant stores the version of the text shown (`ConsentRecord.text_version`). The texts are
legal wording kept here in full for each language, not passed through gettext: a translator's change must never
change a text already agreed to. To change a text, add a new version with a later `effective_from`; never edit a
version that has been shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language

from parceria.privacy.models import ConsentPurpose

LANGUAGES = ("pt-br", "es", "en")


@dataclass(frozen=True)
class ConsentText:
    purpose: str  # ConsentPurpose
    version: str
    effective_from: dt.date
    texts: dict[str, str]  # language → text

    def text(self, language: str | None = None) -> str:
        """The text in `language` (the active language by default), English when it has none."""
        code = (language or get_language() or "en").lower()
        return self.texts.get(code) or self.texts.get(code.split("-")[0]) or self.texts["en"]


TEXTS: tuple[ConsentText, ...] = (
    ConsentText(
        purpose=ConsentPurpose.DIRECTORY_LISTING,
        version="directory_listing-v1",
        effective_from=dt.date(2026, 12, 1),
        texts={
            "pt-br": "Autorizo, em nome do parceiro, a publicação no diretório público de parceiros do nome da "
                     "empresa, do texto e do logotipo da listagem, do site, das regiões, dos segmentos, do nível e "
                     "das certificações, para que empresas interessadas nos encontrem e nos enviem mensagens. "
                     "Posso retirar este consentimento a qualquer momento no portal: a listagem sai do diretório "
                     "na mesma hora.",
            "es": "Autorizo, en nombre del socio, la publicación en el directorio público de socios del nombre de la "
                  "empresa, el texto y el logotipo del listado, el sitio web, las regiones, los sectores, el nivel y "
                  "las certificaciones, para que las empresas interesadas nos encuentren y nos escriban. Puedo "
                  "retirar este consentimiento en cualquier momento en el portal: el listado sale del directorio "
                  "de inmediato.",
            "en": "On behalf of the partner, I agree that the company's name, the listing's text and logo, its "
                  "website, regions, verticals, tier and certifications are published in the public partner "
                  "directory, so that interested companies find us and write to us. I can withdraw this consent "
                  "at any time in the portal: the listing leaves the directory at once.",
        },
    ),
    ConsentText(
        purpose=ConsentPurpose.ACCOUNT_MAPPING,
        version="account_mapping-v1",
        effective_from=dt.date(2026, 12, 1),
        texts={
            "pt-br": "Autorizo, em nome do parceiro, que as contas da nossa lista de clientes que coincidirem com "
                     "clientes ou oportunidades da empresa sejam mostradas a ela (nome, CNPJ e domínio das contas "
                     "coincidentes), no nível de compartilhamento que escolhi no mapeamento de contas. Posso "
                     "retirar este consentimento a qualquer momento no portal: as contas coincidentes deixam de "
                     "ser compartilhadas na mesma hora e só as contagens continuam visíveis.",
            "es": "Autorizo, en nombre del socio, que las cuentas de nuestra lista de clientes que coincidan con "
                  "clientes u oportunidades de la empresa se le muestren (nombre, identificación fiscal y dominio de "
                  "las cuentas coincidentes), en el nivel de intercambio que elegí en el mapeo de cuentas. Puedo "
                  "retirar este consentimiento en cualquier momento en el portal: las cuentas coincidentes dejan de "
                  "compartirse de inmediato y solo quedan visibles los recuentos.",
            "en": "On behalf of the partner, I agree that the accounts of our customer list that match the "
                  "company's customers or opportunities are shown to it (name, tax id and domain of the matched "
                  "accounts), at the sharing level I chose in account mapping. I can withdraw this consent at any "
                  "time in the portal: the matched accounts stop being shared at once and only the counts stay "
                  "visible.",
        },
    ),
    ConsentText(
        purpose=ConsentPurpose.MARKETING_EMAILS,
        version="marketing_emails-v1",
        effective_from=dt.date(2026, 12, 1),
        texts={
            "pt-br": "Aceito receber por e-mail novidades do programa de parceiros, convites para eventos e ofertas "
                     "de marketing. Os e-mails de serviço (negócios, pagamentos, convites de acesso, avisos de "
                     "segurança) não dependem deste consentimento. Posso retirá-lo a qualquer momento no portal.",
            "es": "Acepto recibir por correo electrónico novedades del programa de socios, invitaciones a eventos y "
                  "ofertas de marketing. Los correos de servicio (negocios, pagos, invitaciones de acceso, avisos de "
                  "seguridad) no dependen de este consentimiento. Puedo retirarlo en cualquier momento en el portal.",
            "en": "I agree to receive news of the partner program, invitations to events and marketing offers by "
                  "e-mail. Service e-mails (deals, payments, access invitations, security notices) do not depend "
                  "on this consent. I can withdraw it at any time in the portal.",
        },
    ),
)


def texts_of(purpose: str) -> list[ConsentText]:
    """Every version of a purpose's text, oldest first."""
    return sorted((t for t in TEXTS if t.purpose == purpose), key=lambda t: t.effective_from)


def current_text(purpose: str, on: dt.date | None = None) -> ConsentText:
    """The text shown today (or on `on`) for a purpose: the latest version in force."""
    day = on or timezone.localdate()
    versions = texts_of(purpose)
    started = [t for t in versions if t.effective_from <= day]
    return started[-1] if started else versions[0]


def text_version(purpose: str, version: str) -> ConsentText | None:
    return next((t for t in TEXTS if t.purpose == purpose and t.version == version), None)
