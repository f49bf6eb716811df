from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "parceria.payouts"
    label = "payouts"

    def ready(self) -> None:
        from parceria.payouts import personal_data

        personal_data.register()

        from parceria.commissions.line_status import register_line_status_rule
        from parceria.payouts.selectors import ledger_line_statuses

        register_line_status_rule(ledger_line_statuses)

        from parceria.commissions.totals import DerivedProjection, register_derived_projection
        from parceria.payouts.close import reimbursement_snapshots_check, reimbursement_snapshots_rebuild

        register_derived_projection(DerivedProjection("reimbursement snapshots", "the payouts",
                                                      reimbursement_snapshots_check, reimbursement_snapshots_rebuild))
