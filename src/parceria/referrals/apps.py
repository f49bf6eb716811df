from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "parceria.referrals"
    label = "referrals"

    def ready(self) -> None:
        from parceria.referrals import personal_data

        personal_data.register()

        from parceria.customers.attribution import register_code_resolver
        from parceria.customers.models import ClaimSource
        from parceria.referrals.selectors import coupon_partner, referral_partner

        register_code_resolver(ClaimSource.REFERRAL, referral_partner)
        register_code_resolver(ClaimSource.COUPON, coupon_partner)
        import parceria.referrals.retention  # noqa: F401  (registers the referral clicks' retention rule)
