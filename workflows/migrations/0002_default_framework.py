from django.db import migrations

# The default NEC framework: intentions at "prototype", published evidence at "pilot",
# proven reuse and sustainability at "commons". Curators edit it afterwards.
# (gate, quorum, [(code, principle, level, evidence, title_fr, title_en, guidance_fr, guidance_en)])
FRAMEWORK = [
    (
        "prototype",
        1,
        [
            (
                "proto-problem",
                "general_interest",
                "required",
                "text",
                "Un problème d'intérêt général et un public identifiés",
                "A general-interest problem and its public are stated",
                "Décrivez le problème, les personnes concernées et pourquoi il relève de l'intérêt général.",
                "Describe the problem, who it affects and why it is of general interest.",
            ),
            (
                "proto-team",
                "sustainability",
                "required",
                "text",
                "Une équipe identifiée",
                "An identified team",
                "Qui porte le projet, avec quels rôles et quel temps disponible ?",
                "Who carries the project, in which roles, with how much time?",
            ),
            (
                "proto-do-no-harm",
                "ethics",
                "required",
                "text",
                "Revue « ne pas nuire » des usages détournés prévisibles",
                "Do-no-harm review of foreseeable misuse",
                "Listez les mésusages et exclusions possibles et ce que vous prévoyez pour les éviter.",
                "List the possible misuses and exclusions and how you plan to prevent them.",
            ),
            (
                "proto-open-intent",
                "openness",
                "required",
                "text",
                "Intention de publier sous licence ouverte",
                "Intent to publish under an open licence",
                "Dites ce que vous publierez (code, contenus, données) et sous quelle famille de licence.",
                "Say what you will publish (code, content, data) and under which kind of licence.",
            ),
            (
                "proto-data-minimisation",
                "ethics",
                "required",
                "text",
                "Intention de minimiser les données personnelles",
                "Intent to minimise personal data",
                "Quelles données personnelles sont indispensables, et lesquelles pouvez-vous éviter ?",
                "Which personal data are indispensable, and which can you avoid?",
            ),
            (
                "proto-codesign",
                "improvability",
                "recommended",
                "text",
                "Des personnes concernées associées à la conception",
                "People concerned take part in the design",
                "Comment les publics et les médiateurs participent-ils aux choix ?",
                "How do the public and mediators take part in decisions?",
            ),
        ],
    ),
    (
        "pilot",
        2,
        [
            (
                "pilot-open-licence",
                "openness",
                "required",
                "link",
                "Une licence ouverte choisie",
                "An open licence is chosen",
                "Lien vers le fichier de licence (par ex. AGPL-3.0, EUPL-1.2, CC-BY-SA-4.0).",
                "Link to the licence file (e.g. AGPL-3.0, EUPL-1.2, CC-BY-SA-4.0).",
            ),
            (
                "pilot-public-repository",
                "openness",
                "required",
                "link",
                "Code ou contenus publiés dans un dépôt public",
                "Source or content published in a public repository",
                "Lien vers le dépôt public, à jour.",
                "Link to the public, up-to-date repository.",
            ),
            (
                "pilot-gdpr",
                "ethics",
                "required",
                "any",
                "Analyse des données personnelles (RGPD)",
                "Personal-data assessment (GDPR)",
                "Registre de traitement ou analyse d'impact, et information des personnes.",
                "Record of processing or impact assessment, and how people are informed.",
            ),
            (
                "pilot-accessibility",
                "general_interest",
                "required",
                "link",
                "Auto-évaluation d'accessibilité (RGAA)",
                "Accessibility self-assessment (RGAA/WCAG)",
                "Lien vers la grille d'auto-évaluation et le plan d'amélioration.",
                "Link to the self-assessment and the improvement plan.",
            ),
            (
                "pilot-install-docs",
                "replicability",
                "required",
                "link",
                "Une documentation qui permet à une autre équipe d'installer ou de mettre en œuvre",
                "Documentation that lets another team install or run it",
                "Guide d'installation ou de mise en œuvre, testé par une personne extérieure.",
                "Installation or run guide, tried by someone from outside.",
            ),
            (
                "pilot-plan",
                "general_interest",
                "required",
                "any",
                "Un plan de pilote avec un territoire et un partenaire",
                "A pilot plan with a territory and a partner",
                "Territoire, partenaire, durée, publics et indicateurs du pilote.",
                "Territory, partner, duration, public and indicators of the pilot.",
            ),
            (
                "pilot-feedback-channel",
                "improvability",
                "recommended",
                "link",
                "Un canal public de retours et de contributions",
                "A public channel for feedback and contributions",
                "Forum, tickets ou liste de discussion ouverts à toutes et tous.",
                "Forum, issue tracker or mailing list open to all.",
            ),
        ],
    ),
    (
        "commons",
        2,
        [
            (
                "commons-reuse",
                "replicability",
                "required",
                "link",
                "Réutilisé par au moins une autre organisation ou un autre territoire",
                "Reused by at least one other organisation or territory",
                "Lien vers un témoignage ou une page de l'organisation qui l'a repris.",
                "Link to a testimony or page of the organisation that reused it.",
            ),
            (
                "commons-governance",
                "improvability",
                "required",
                "link",
                "Gouvernance ouverte et guide de contribution",
                "Open governance and a contribution guide",
                "Qui décide et comment, et comment contribuer (CONTRIBUTING).",
                "Who decides and how, and how to contribute (CONTRIBUTING).",
            ),
            (
                "commons-sustainability",
                "sustainability",
                "required",
                "any",
                "Un plan de maintenance et de financement",
                "A maintenance and funding plan",
                "Qui maintient, avec quels moyens, pour les trois prochaines années.",
                "Who maintains it, with what means, for the next three years.",
            ),
            (
                "commons-data-export",
                "openness",
                "required",
                "link",
                "Export des données dans un format ouvert",
                "Data export in an open format",
                "Les personnes et structures peuvent récupérer leurs données (CSV, JSON, ODS...).",
                "People and organisations can take their data away (CSV, JSON, ODS...).",
            ),
            (
                "commons-evaluation",
                "general_interest",
                "required",
                "link",
                "Une évaluation du pilote publiée",
                "A published evaluation of the pilot",
                "Résultats, limites et enseignements, publiés sous licence ouverte.",
                "Results, limits and lessons, published under an open licence.",
            ),
            (
                "commons-ethics-follow-up",
                "ethics",
                "recommended",
                "text",
                "Un bilan éthique après le pilote",
                "An ethics follow-up after the pilot",
                "Les risques identifiés au départ se sont-ils réalisés ? Qu'avez-vous changé ?",
                "Did the risks identified at the start happen? What did you change?",
            ),
        ],
    ),
]


def install(apps, schema_editor):
    Gate = apps.get_model("workflows", "Gate")
    Criterion = apps.get_model("workflows", "Criterion")
    for stage, quorum, criteria in FRAMEWORK:
        gate, _ = Gate.objects.get_or_create(stage=stage, defaults={"quorum": quorum})
        for position, row in enumerate(criteria):
            code, principle, level, evidence, title_fr, title_en, guide_fr, guide_en = row
            Criterion.objects.get_or_create(
                code=code,
                defaults={
                    "gate": gate,
                    "principle": principle,
                    "level": level,
                    "evidence": evidence,
                    "title_fr": title_fr,
                    "title_en": title_en,
                    "guidance_fr": guide_fr,
                    "guidance_en": guide_en,
                    "position": position,
                },
            )


def uninstall(apps, schema_editor):
    codes = [row[0] for _, _, criteria in FRAMEWORK for row in criteria]
    apps.get_model("workflows", "Criterion").objects.filter(code__in=codes).delete()
    apps.get_model("workflows", "Gate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
