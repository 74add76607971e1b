"""The public API's JSON for accounts, extensions, numbers, devices and directory entries,
and the request bodies that change them. Python names stay snake_case; the camelCase
mapping happens here only.

Identifiers of our own: countries are identified by ISO code and time zones by IANA name
(the hosted service's numeric dictionary ids are not public)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from telephonist.accounts.users import EffectiveRegional, RegionalChange, UserDetailsChange
from telephonist.api.paging import absolute_uri
from telephonist.domain import regional
from telephonist.domain.permissions import Permission
from telephonist.domain.phone_numbers import format_international, format_national
from telephonist.store.accounts import Account, Site
from telephonist.store.devices import Device
from telephonist.store.extensions import Extension
from telephonist.store.numbers import PhoneNumber

API = "/restapi/v1.0"


def iso_time(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as the public API writes times."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def account_path(account_id: int) -> str:
    return f"{API}/account/{account_id}"


def extension_path(account_id: int, extension_id: int) -> str:
    return f"{account_path(account_id)}/extension/{extension_id}"


def country_json(request: Request, iso_code: str) -> dict[str, Any]:
    country = regional.country(iso_code)
    return {
        "id": country.iso_code,
        "uri": absolute_uri(request, f"{API}/dictionary/country/{country.iso_code}"),
        "name": country.name,
        "isoCode": country.iso_code,
        "callingCode": country.calling_code,
    }


def language_json(code: str) -> dict[str, str]:
    language = regional.language(code)
    return {"id": language.api_id, "name": language.name, "localeCode": language.locale_code}


def regional_json(request: Request, settings: EffectiveRegional, now: datetime) -> dict[str, Any]:
    return {
        "homeCountry": country_json(request, settings.home_country),
        "timezone": {
            "id": settings.time_zone,
            "name": settings.time_zone,
            "description": settings.time_zone.replace("_", " "),
            "bias": str(regional.time_zone_bias_minutes(settings.time_zone, now)),
        },
        "language": language_json(settings.user_language),
        "greetingLanguage": language_json(settings.greeting_language),
        "formattingLocale": language_json(settings.regional_format),
        "timeFormat": settings.time_format,
    }


def account_json(
    request: Request,
    account: Account,
    main_number: str | None,
    operator: Extension | None,
    now: datetime,
) -> dict[str, Any]:
    """GET /account/{accountId}."""
    settings = EffectiveRegional(
        time_zone=account.time_zone,
        home_country=account.home_country,
        greeting_language=account.language,
        user_language=account.language,
        regional_format=account.language,
        time_format=account.time_format,
    )
    body: dict[str, Any] = {
        "uri": absolute_uri(request, account_path(account.id)),
        "id": account.id,
        "mainNumber": main_number,
        "companyName": account.company_name,
        "status": account.status,
        "setupWizardState": "Completed",
        "signupInfo": {"tosAccepted": True, "marketingAccepted": False},
        "serviceInfo": {
            "uri": absolute_uri(request, f"{account_path(account.id)}/service-info"),
            "brand": {
                "id": "telephonist",
                "name": "Telephonist",
                "homeCountry": country_json(request, account.home_country),
            },
        },
        "regionalSettings": regional_json(request, settings, now),
        "federated": False,
        "limits": {"maxExtensionNumberLength": 5, "meetingSize": 200},
    }
    if operator is not None:
        body["operator"] = {
            "uri": absolute_uri(request, extension_path(account.id, operator.id)),
            "id": operator.id,
            "extensionNumber": operator.number,
        }
    return body


def contact_json(extension: Extension, account: Account) -> dict[str, Any]:
    user = extension.user
    contact: dict[str, Any] = {
        "company": account.company_name,
        "email": extension.email,
        "emailAsLoginName": bool(user is not None and account.email_sign_in),
    }
    if user is not None:
        contact.update(
            firstName=user.first_name,
            lastName=user.last_name,
            jobTitle=user.job_title,
            department=user.department,
            businessPhone=user.contact_phone or None,
            mobilePhone=user.mobile_phone or None,
            pronouncedName=(
                {"type": "TextToSpeech", "text": user.pronounced_name}
                if user.pronounced_name
                else {"type": "Default"}
            ),
        )
    else:
        contact["firstName"] = extension.name
    return {key: value for key, value in contact.items() if value is not None}


def extension_summary_json(
    request: Request, extension: Extension, account: Account
) -> dict[str, Any]:
    """A record of the extension list."""
    return {
        "uri": absolute_uri(request, extension_path(account.id, extension.id)),
        "id": extension.id,
        "extensionNumber": extension.number,
        "contact": contact_json(extension, account),
        "name": extension.name,
        "type": extension.type,
        "status": extension.status,
        "hidden": False,
    }


def extension_json(
    request: Request,
    extension: Extension,
    account: Account,
    settings: EffectiveRegional,
    permissions: frozenset[Permission],
    is_admin: bool,
    site: Site | None,
    now: datetime,
) -> dict[str, Any]:
    """GET /account/{accountId}/extension/{extensionId}."""
    body = extension_summary_json(request, extension, account)
    body.update(
        permissions={
            "admin": {"enabled": is_admin},
            "internationalCalling": {"enabled": Permission.INTERNATIONAL_CALLING in permissions},
        },
        regionalSettings=regional_json(request, settings, now),
        setupWizardState="Completed" if extension.status == "Enabled" else "NotStarted",
        account={"uri": absolute_uri(request, account_path(account.id)), "id": str(account.id)},
        creationTime=iso_time(extension.created_at),
        serviceFeatures=[
            {"featureName": "Presence", "enabled": True},
            {"featureName": "RingOut", "enabled": False, "reason": "ExtensionLimitation"},
            {"featureName": "SMS", "enabled": False, "reason": "ExtensionLimitation"},
            {"featureName": "Fax", "enabled": False, "reason": "ExtensionLimitation"},
            {"featureName": "VoicemailToText", "enabled": False, "reason": "ExtensionLimitation"},
        ],
    )
    if site is not None:
        body["site"] = {"id": str(site.id), "name": site.name}
    return body


def number_features(number: PhoneNumber) -> list[str]:
    features = []
    if number.caller_id:
        features.append("CallerId")
    if number.sms:
        features.append("SmsSender")
    return features


def phone_number_json(
    request: Request, number: PhoneNumber, extension: Extension | None
) -> dict[str, Any]:
    """A record of GET .../extension/{id}/phone-number."""
    body: dict[str, Any] = {
        "uri": absolute_uri(request, f"{account_path(number.account_id)}/phone-number/{number.id}"),
        "id": number.id,
        "phoneNumber": number.e164,
        "formattedPhoneNumber": format_international(number.e164),
        "type": number.type,
        "usageType": number.usage,
        "status": "Normal",
        "paymentType": "Local",
        "primary": number.usage == "DirectNumber",
        "features": number_features(number),
    }
    if number.label:
        body["label"] = number.label
    if extension is not None and number.extension_id == extension.id:
        body["extension"] = {
            "id": extension.id,
            "uri": absolute_uri(request, extension_path(number.account_id, extension.id)),
            "extensionNumber": extension.number,
            "type": extension.type,
            "name": extension.name,
        }
    return body


def directory_entry_json(
    extension: Extension,
    account: Account,
    main_number: str | None,
    numbers: list[PhoneNumber],
    site: Site | None,
) -> dict[str, Any]:
    """A record of GET /account/{accountId}/directory/entries (EXT-5)."""
    user = extension.user
    entry: dict[str, Any] = {
        "id": str(extension.id),
        "type": extension.type,
        "status": extension.status,
        "extensionNumber": extension.number,
        "name": extension.name,
        "firstName": user.first_name if user else extension.name,
        "lastName": user.last_name if user else "",
        "email": extension.email,
        "jobTitle": user.job_title if user else "",
        "department": user.department if user else "",
        "account": {
            "id": str(account.id),
            "companyName": account.company_name,
            "mainNumber": (
                {"phoneNumber": main_number, "type": "VoiceFax", "usageType": "MainCompanyNumber"}
                if main_number
                else None
            ),
        },
        "phoneNumbers": [
            {
                "phoneNumber": number.e164,
                "formattedPhoneNumber": format_national(number.e164),
                "type": number.type,
                "usageType": number.usage,
                "primary": index == 0,
                "hidden": False,
            }
            for index, number in enumerate(numbers)
        ],
        "hidden": False,
    }
    if site is not None:
        entry["site"] = {"id": str(site.id), "name": site.name}
    return entry


def device_json(
    request: Request,
    device: Device,
    extension: Extension,
    direct: PhoneNumber | None,
    *,
    online: bool,
    show_credentials: bool,
    sip_domain: str,
) -> dict[str, Any]:
    """A record of GET .../extension/{id}/device; ``sipInfo`` is our own addition."""
    body: dict[str, Any] = {
        "id": str(device.id),
        "uri": absolute_uri(request, f"{account_path(device.account_id)}/device/{device.id}"),
        "type": device.kind,
        "name": device.name,
        "serial": device.serial,
        "status": "Online" if online else "Offline",
        "model": {"name": device.model} if device.model else None,
        "extension": {
            "id": extension.id,
            "uri": absolute_uri(request, extension_path(device.account_id, extension.id)),
            "extensionNumber": extension.number,
        },
        "phoneLines": (
            [
                {
                    "lineType": "Standalone",
                    "phoneInfo": {
                        "id": str(direct.id),
                        "phoneNumber": direct.e164,
                        "usageType": direct.usage,
                    },
                }
            ]
            if direct is not None
            else []
        ),
    }
    if device.external_number:
        body["phoneNumber"] = device.external_number
    address = device.emergency_address
    if address is not None:
        body["emergencyServiceAddress"] = {
            "customerName": address.customer_name,
            "street": address.street,
            "street2": address.street2,
            "city": address.city,
            "state": address.state,
            "zip": address.postal_code,
            "countryIsoCode": address.country,
            "countryName": regional.country(address.country).name,
        }
    if show_credentials and device.sip_username:
        body["sipInfo"] = {
            "username": device.sip_username,
            "authorizationId": device.sip_username,
            "password": device.sip_password,
            "domain": sip_domain,
            "outboundProxy": sip_domain,
            "transport": "UDP",
        }
    return {key: value for key, value in body.items() if value is not None}


class _Body(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class IdRef(_Body):
    id: str | None = None
    iso_code: str | None = Field(None, alias="isoCode")
    locale_code: str | None = Field(None, alias="localeCode")
    name: str | None = None

    def value(self) -> str | None:
        return self.iso_code or self.locale_code or self.id or self.name


class PronouncedName(_Body):
    type: str = "Default"
    text: str | None = None


class ContactUpdate(_Body):
    first_name: str | None = Field(None, alias="firstName")
    last_name: str | None = Field(None, alias="lastName")
    job_title: str | None = Field(None, alias="jobTitle")
    department: str | None = None
    email: str | None = None
    business_phone: str | None = Field(None, alias="businessPhone")
    mobile_phone: str | None = Field(None, alias="mobilePhone")
    pronounced_name: PronouncedName | None = Field(None, alias="pronouncedName")


class RegionalUpdate(_Body):
    home_country: IdRef | None = Field(None, alias="homeCountry")
    timezone: IdRef | None = None
    language: IdRef | None = None
    greeting_language: IdRef | None = Field(None, alias="greetingLanguage")
    formatting_locale: IdRef | None = Field(None, alias="formattingLocale")
    time_format: str | None = Field(None, alias="timeFormat")


class ExtensionUpdate(_Body):
    """PUT /account/{accountId}/extension/{extensionId}."""

    status: str | None = None
    extension_number: str | None = Field(None, alias="extensionNumber")
    contact: ContactUpdate | None = None
    regional_settings: RegionalUpdate | None = Field(None, alias="regionalSettings")
    password: str | None = None
    ivr_pin: str | None = Field(None, alias="ivrPin")

    def details_change(self) -> UserDetailsChange:
        contact = self.contact or ContactUpdate()
        pronounced = contact.pronounced_name
        return UserDetailsChange(
            first_name=contact.first_name,
            last_name=contact.last_name,
            job_title=contact.job_title,
            department=contact.department,
            contact_phone=contact.business_phone,
            mobile_phone=contact.mobile_phone,
            email=contact.email,
            pronounced_name=(
                (pronounced.text or "")
                if pronounced and pronounced.type == "TextToSpeech"
                else ""
                if pronounced
                else None
            ),
            status=self.status,
            extension_number=self.extension_number,
        )

    def regional_change(self) -> RegionalChange:
        settings = self.regional_settings or RegionalUpdate()

        def ref(value: IdRef | None) -> str | None:
            return value.value() if value else None

        return RegionalChange(
            time_zone=ref(settings.timezone),
            home_country=ref(settings.home_country),
            greeting_language=ref(settings.greeting_language),
            user_language=ref(settings.language),
            regional_format=ref(settings.formatting_locale),
            time_format=settings.time_format,
        )


class NewUserContact(_Body):
    first_name: str = Field(alias="firstName")
    last_name: str = Field(alias="lastName")
    email: str


class ExtensionCreate(_Body):
    """POST /account/{accountId}/extension (user extensions)."""

    extension_number: str = Field(alias="extensionNumber")
    type: str = "User"
    contact: NewUserContact
    role: str = "Standard"
    direct_number: str | None = Field(None, alias="directNumber")
    language: str | None = None


class DirectorySearch(_Body):
    """POST /account/{accountId}/directory/entries/search."""

    search_string: str | None = Field(None, alias="searchString")
    page: int = Field(1, ge=1)
    per_page: int = Field(100, ge=1, le=1000, alias="perPage")
